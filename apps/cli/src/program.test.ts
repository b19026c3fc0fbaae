import { describe, expect, it } from 'vitest';
import { BadInputError, CommandFailedError, exitCodeOf } from './cli-error';
import { run } from './program';
import { recordingIo, Reply, scriptedServers, SeenRequest } from './test-support';

const server = scriptedServers();

const CREATE = ['watch', 'create', '--paddr', '0x1000', '--width', '4', '--condition', 'any_change', '--interval', '5ms', '--hosts', 'h1'];
const WATCH = { id: '3', state: 'active', created_at: 't', ended_at: null, target: { paddr: '0x1000' }, width: 4, condition: 'any_change', interval: '5ms', action: 'report', hosts: { ids: ['h1'] }, counts: { pending: 1, armed: 0, failed: 0, disarmed: 0 } };

describe('exit codes', () => {
  it('maps CLI errors to 1 and 2, and anything unexpected to 1', () => {
    expect(exitCodeOf(new BadInputError('x'))).toBe(2);
    expect(exitCodeOf(new CommandFailedError('x'))).toBe(1);
    expect(exitCodeOf(new TypeError('bug'))).toBe(1);
  });

  it('is 0 for help and version, 2 for commander usage errors', async () => {
    expect(await run(['--help'], recordingIo())).toBe(0);
    expect(await run(['--version'], recordingIo())).toBe(0);
    const io = recordingIo();
    expect(await run(['watch', 'get'], io)).toBe(2);
    expect(io.stderr).toContain("missing required argument 'id'");
    expect(await run(['watch', 'list', '--state', 'sleeping'], recordingIo())).toBe(2);
    expect(await run(['dumps', 'list'], recordingIo())).toBe(2);
  });

  it('is 2 for a bad flag, naming it, without contacting the server', async () => {
    const s = await server(() => ({ status: 500, body: {} }));
    const io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run([...CREATE, '--len', '-4', '--condition', 'sometimes'], io)).toBe(2);
    expect(io.stderr).toContain('--len: "-4" is not a whole number from 1 to 65536');
    expect(io.stderr).toContain('--condition: "sometimes" is not one of');
    expect(s.seen).toEqual([]);
  });

  it('sends the spec with the token, prints the watch, and is 0', async () => {
    const s = await server(() => ({ status: 201, body: WATCH }));
    const io = recordingIo({ PHYSWATCH_SERVER: s.url, PHYSWATCH_TOKEN: 'secret' });
    expect(await run([...CREATE, '-o', 'json'], io)).toBe(0);
    expect(s.seen).toEqual([
      { method: 'POST', url: '/api/v1/watches', authorization: 'Bearer secret', body: { target: { paddr: '0x1000' }, width: 4, condition: 'any_change', interval: '5ms', hosts: { ids: ['h1'] } } },
    ]);
    expect(JSON.parse(io.stdout)).toEqual(WATCH);
  });

  it('is 2 for a server 400, listing its fields as flags', async () => {
    const s = await server(() => ({ status: 400, body: { error: 'invalid_watch_spec', message: 'm', errors: [{ field: 'hosts.selector', reason: 'no' }, { field: 'target.paddr', reason: 'nope' }] } }));
    const io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(CREATE, io)).toBe(2);
    expect(io.stderr).toContain('invalid_watch_spec');
    expect(io.stderr).toContain('  --selector: no\n  --paddr: nope');
  });

  it('is 1 for not found, a server error and an unreachable server, saying which server', async () => {
    const s = await server((req) => (req.url.startsWith('/api/v1/watches/9') ? { status: 404, body: { error: 'not_found', message: 'watch 9 does not exist' } } : { status: 503, body: { error: 'unavailable', message: 'postgres down' } }));
    let io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['watch', 'get', '9'], io)).toBe(1);
    expect(io.stderr).toBe(`error: watch 9 does not exist (server ${s.url})\n`);
    io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['hosts', 'list'], io)).toBe(1);
    expect(io.stderr).toContain(`GET /api/v1/hosts on ${s.url} failed: 503 unavailable postgres down`);
    // Closed now; closing it again after the test is harmless.
    await s.close();
    io = recordingIo();
    expect(await run(['watch', 'list', '--server', s.url], io)).toBe(1);
    // (the reason depends on whether the pooled connection was reused; the e2e test sees ECONNREFUSED)
    expect(io.stderr).toContain(`cannot reach the physwatch server at ${s.url} (from --server): `);
  });

  it('asks before a destructive action on a terminal, and creates nothing unless the target is typed', async () => {
    const s = await server(() => ({ status: 201, body: { ...WATCH, action: 'panic' } }));
    const args = [...CREATE, '--action', 'panic'];
    let io = recordingIo({ PHYSWATCH_SERVER: s.url }, true);
    io.answers.push('y');
    expect(await run(args, io)).toBe(1);
    expect(io.stderr).toContain("Type the watch's target (0x1000) to confirm");
    expect(s.seen).toEqual([]);
    io = recordingIo({ PHYSWATCH_SERVER: s.url }, true);
    io.answers.push('0x1000');
    expect(await run(args, io)).toBe(0);
    expect(s.seen).toHaveLength(1);
    io = recordingIo({ PHYSWATCH_SERVER: s.url }, false);
    expect(await run(args, io)).toBe(2);
    expect(io.stderr).toContain('pass --yes');
    expect(await run([...args, '--yes'], recordingIo({ PHYSWATCH_SERVER: s.url }, false))).toBe(0);
    expect(s.seen).toHaveLength(2);
  });

  it('sends a --sentinel watch as target.sentinel, and confirms a destructive one only by its target typed (sentinel=N), not an empty answer', async () => {
    const s = await server(() => ({ status: 201, body: { ...WATCH, target: { sentinel: { pages: 4, pattern: '0xa5a5a5a5' } }, action: 'panic' } }));
    const args = ['watch', 'create', '--sentinel', '4', '--pattern', '0xa5a5a5a5', '--width', '4', '--condition', 'any_change', '--interval', '1ms', '--hosts', 'h1', '--action', 'panic'];
    let io = recordingIo({ PHYSWATCH_SERVER: s.url }, true);
    io.answers.push('');
    expect(await run(args, io)).toBe(1);
    expect(io.stderr).toContain("Type the watch's target (sentinel=4) to confirm");
    expect(s.seen).toEqual([]);
    io = recordingIo({ PHYSWATCH_SERVER: s.url }, true);
    io.answers.push('sentinel=4');
    expect(await run(args, io)).toBe(0);
    expect(s.seen[0].body).toMatchObject({ target: { sentinel: { pages: 4, pattern: '0xa5a5a5a5' } }, width: 4 });
    expect(io.stdout).toContain('sentinel=4 (pattern 0xa5a5a5a5)');
  });

  it('asks before a --kdump-on-hit watch too, and sends kdump_on_hit', async () => {
    const s = await server(() => ({ status: 201, body: { ...WATCH, kdump_on_hit: true } }));
    const args = [...CREATE, '--kdump-on-hit'];
    const io = recordingIo({ PHYSWATCH_SERVER: s.url }, false);
    expect(await run(args, io)).toBe(2);
    expect(io.stderr).toContain('--kdump-on-hit crashes the host into kdump');
    expect(s.seen).toEqual([]);
    expect(await run([...args, '--yes'], recordingIo({ PHYSWATCH_SERVER: s.url }, false))).toBe(0);
    expect(s.seen[0].body).toMatchObject({ kdump_on_hit: true });
    const refused = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run([...CREATE, '--action', 'panic', '--kdump-on-hit', '--yes'], refused)).toBe(2);
    expect(refused.stderr).toContain('--kdump-on-hit: not used with action panic');
  });

  it('lists vmcores (following pages) and kdump jobs with their filters', async () => {
    const vmcore = (id: string) => ({ id, host_id: 'h1', crashed_boot_id: 'b1', watch_id: '3', hit_id: '9', kdump_job_id: 'kdump-9', path: `/var/crash/${id}/dump.${id}`, layout: 'kdump-tools', format: 'kdump-compressed', size_bytes: '4096', dump_level: 31, crash_time: 't', kernel_release: '6.1.0', received_at: 't' });
    const job = { id: 'kdump-9', hit_id: '9', watch_id: '3', host_id: 'h1', state: 'deferred', reason: 'fleet crash budget "fleet": 1 of 1 concurrent crashes in progress (h2)', vmcore_id: null, attempts: 0, updated_at: 't' };
    const s = await server((req) => {
      if (req.url.startsWith('/api/v1/kdump-jobs')) return { status: 200, body: { items: [job] } };
      return req.url.includes('cursor=') ? { status: 200, body: { items: [vmcore('1')], next_cursor: null } } : { status: 200, body: { items: [vmcore('2')], next_cursor: 'c2' } };
    });
    let io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['vmcores', 'list', '--host', 'h1', '--watch', '3'], io)).toBe(0);
    expect(s.seen.map((r) => r.url)).toEqual(['/api/v1/vmcores?host_id=h1&watch_id=3&limit=100', '/api/v1/vmcores?host_id=h1&watch_id=3&limit=99&cursor=c2']);
    expect(io.stdout.split('\n')[1].split(/\s{2,}/)).toEqual(['2', 't', 'h1', '3', '9', 't', '4096', '31', '6.1.0', '/var/crash/2/dump.2']);
    io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['kdump', 'list', '--state', 'deferred', '-o', 'json'], io)).toBe(0);
    expect(s.seen[2].url).toBe('/api/v1/kdump-jobs?state=deferred');
    expect(JSON.parse(io.stdout)).toEqual([job]);
  });

  it('filters hosts by selector on the client', async () => {
    const host = (id: string, labels: Record<string, string>) => ({ id, hostname: id, kernel_release: '', arch: '', agent_version: '', labels, online: true, connected: true, last_seen_at: 't', watches: [] });
    const s = await server(() => ({ status: 200, body: { items: [host('a', { rack: 'r1' }), host('b', { rack: 'r2' }), host('c', {})] } }));
    const io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['hosts', 'list', '--selector', 'rack in (r1,r2),rack!=r2', '-o', 'json'], io)).toBe(0);
    expect(JSON.parse(io.stdout).map((h: { id: string }) => h.id)).toEqual(['a']);
    const bad = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['hosts', 'list', '--selector', 'rack=='], bad)).toBe(0);
    expect(await run(['hosts', 'list', '--selector', 'a,,b'], bad)).toBe(2);
    expect(bad.stderr).toContain('--selector: empty requirement');
  });
});

describe('hosts label', () => {
  const HOST = { id: 'h1', hostname: 'h1', labels: {}, host_labels: { rack: 'r1' }, operator_labels: { env: 'dev', pool: 'db' }, watches: [] };

  it('merges key=value into the operator labels, removes key-, and shows each label with its source', async () => {
    const s = await server((req) => ({ status: 200, body: req.method === 'PUT' ? { ...HOST, operator_labels: (req.body as { labels: object }).labels } : HOST }));
    const io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['hosts', 'label', 'h1', 'env=prod', 'rack=r9', 'pool-'], io)).toBe(0);
    expect(s.seen.map((r) => [r.method, r.url])).toEqual([['GET', '/api/v1/hosts/h1'], ['PUT', '/api/v1/hosts/h1/labels']]);
    expect(s.seen[1].body).toEqual({ labels: { env: 'prod', rack: 'r9' } });
    expect(io.stdout).toMatch(/^rack\s+r9\s+operator$/m);
    expect(io.stdout).toMatch(/^rack\s+r1\s+host \(overridden\)$/m);
  });

  it('--replace sends only the labels given, without reading the host first', async () => {
    const s = await server((req) => ({ status: 200, body: { ...HOST, operator_labels: (req.body as { labels: object }).labels } }));
    expect(await run(['hosts', 'label', 'h1', '--replace'], recordingIo({ PHYSWATCH_SERVER: s.url }))).toBe(0);
    expect(s.seen.map((r) => [r.method, r.body])).toEqual([['PUT', { labels: {} }]]);
  });

  it('a pair that is not one label is exit 2, naming it, and nothing is sent', async () => {
    const s = await server(() => ({ status: 200, body: HOST }));
    for (const bad of [['env'], ['env=a b'], ['env=a,b=c'], []]) {
      const io = recordingIo({ PHYSWATCH_SERVER: s.url });
      expect(await run(['hosts', 'label', 'h1', ...bad], io)).toBe(2);
      expect(io.stderr).toContain('labels:');
    }
    expect(s.seen).toEqual([]);
  });
});

describe('tokens and audit', () => {
  const TOKEN = { id: '5', name: 'alice', role: 'operator', prefix: 'pw_00c0ffee', bootstrap: false, created_by_token_id: '1', created_at: '2026-11-26T12:00:00.000Z', last_used_at: null, revoked_at: null };

  it('creates a token, printing its secret once, and revokes one by id', async () => {
    const s = await server((req) => (req.method === 'POST' ? { status: 201, body: { ...TOKEN, token: 'pw_00c0ffee_secret' } } : { status: 200, body: { ...TOKEN, revoked_at: '2026-11-26T12:01:00.000Z' } }));
    let io = recordingIo({ PHYSWATCH_SERVER: s.url, PHYSWATCH_TOKEN: 'admin-secret' });
    expect(await run(['tokens', 'create', '--name', 'alice', '--role', 'operator'], io)).toBe(0);
    expect(io.stdout).toContain('token (shown this once; store it now):\npw_00c0ffee_secret\n');
    expect(io.stdout).toMatch(/^ID\s+NAME\s+ROLE\s+PREFIX/);
    io = recordingIo({ PHYSWATCH_SERVER: s.url, PHYSWATCH_TOKEN: 'admin-secret' });
    expect(await run(['tokens', 'revoke', '5', '-o', 'json'], io)).toBe(0);
    expect(JSON.parse(io.stdout)).toMatchObject({ id: '5', revoked_at: '2026-11-26T12:01:00.000Z' });
    expect(s.seen.map((r) => [r.method, r.url, r.authorization, r.body])).toEqual([
      ['POST', '/api/v1/tokens', 'Bearer admin-secret', { name: 'alice', role: 'operator' }],
      ['DELETE', '/api/v1/tokens/5', 'Bearer admin-secret', undefined],
    ]);
    expect(await run(['tokens', 'create', '--name', 'bob', '--role', 'root'], recordingIo({ PHYSWATCH_SERVER: s.url }))).toBe(2);
  });

  it('lists the audit log with its filters, the token id flag apart from --token', async () => {
    const s = await server(() => ({ status: 200, body: { items: [], next_cursor: null } }));
    const io = recordingIo({ PHYSWATCH_SERVER: s.url, PHYSWATCH_TOKEN: 'admin-secret' });
    expect(await run(['audit', 'list', '--action', 'watch.create', '--token-id', '7', '--since', '2026-11-26T09:00:00Z', '--limit', '5'], io)).toBe(0);
    expect(io.stdout).toBe('No audit entries.\n');
    expect(s.seen[0].authorization).toBe('Bearer admin-secret');
    expect(new URL(s.seen[0].url, s.url).searchParams.toString()).toBe('since=2026-11-26T09%3A00%3A00.000Z&action=watch.create&token_id=7&limit=5');
  });

  it('is 1 for a 401 or a 403, saying why and where the token came from', async () => {
    const s = await server((req) =>
      req.authorization
        ? { status: 403, body: { error: 'forbidden', message: 'listing tokens needs role admin; this token (alice) has role operator' } }
        : { status: 401, body: { error: 'unauthenticated', message: 'missing bearer token (Authorization: Bearer <token>)' } },
    );
    let io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['tokens', 'list'], io)).toBe(1);
    expect(io.stderr).toBe(`error: not authenticated by ${s.url}: missing bearer token (Authorization: Bearer <token>); no token is set: pass --token, set PHYSWATCH_TOKEN, or put "token: …" in the config file (~/.config/physwatch/config.yaml or PHYSWATCH_CONFIG)\n`);
    io = recordingIo({ PHYSWATCH_SERVER: s.url, PHYSWATCH_TOKEN: 'op' });
    expect(await run(['tokens', 'list'], io)).toBe(1);
    expect(io.stderr).toBe(`error: not allowed by ${s.url}: listing tokens needs role admin; this token (alice) has role operator (token from PHYSWATCH_TOKEN)\n`);
  });
});

describe('watch pause, resume and hosts', () => {
  const HOSTS = {
    watch_id: '3',
    armed: [{ host_id: 'h1', resolved_paddr: '0x2a0e000', since: '2026-11-26T10:00:00.000Z' }],
    failed: [{ host_id: 'h2', reason: 'symbol not found', since: '2026-11-26T10:00:01.000Z' }],
    pending: [{ host_id: 'h3', reason: 'paused', message: 'the rollout is paused' }],
    offline: [{ host_id: 'h4', placed: true }, { host_id: 'h5', placed: false }],
  };

  it('pauses and resumes a report watch without asking, printing the watch', async () => {
    const s = await server((req) => ({ status: 200, body: { ...WATCH, rollout: { paused: req.url.endsWith('/pause') } } }));
    let io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['watch', 'pause', '3', '-o', 'json'], io)).toBe(0);
    expect(JSON.parse(io.stdout)).toMatchObject({ id: '3', rollout: { paused: true } });
    io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['watch', 'resume', '3'], io)).toBe(0);
    expect(io.stdout).toMatch(/^3\s+-\s+active\s+0x1000/m);
    expect(s.seen.map((r) => [r.method, r.url])).toEqual([['POST', '/api/v1/watches/3/pause'], ['GET', '/api/v1/watches/3'], ['POST', '/api/v1/watches/3/resume']]);
  });

  it('asks before resuming a paused destructive watch, and resumes nothing unless the target is typed or --yes is given', async () => {
    const paused = { ...WATCH, action: 'panic', hosts: { selector: 'rack=r12' }, rollout: { paused: true } };
    const s = await server((req) => ({ status: 200, body: req.method === 'GET' ? paused : { ...paused, rollout: { paused: false } } }));
    const posts = () => s.seen.filter((r) => r.method === 'POST').length;
    let io = recordingIo({ PHYSWATCH_SERVER: s.url }, false);
    expect(await run(['watch', 'resume', '3'], io)).toBe(2);
    expect(io.stderr).toContain('resuming watch 3 lets it reach more hosts: --action panic panics the host (into kdump) on the first hit, on every host matching "rack=r12"; pass --yes to resume it');
    io = recordingIo({ PHYSWATCH_SERVER: s.url }, true);
    io.answers.push('yes');
    expect(await run(['watch', 'resume', '3'], io)).toBe(1);
    expect(io.stderr).toContain('watch 3 left paused');
    expect(posts()).toBe(0);
    io = recordingIo({ PHYSWATCH_SERVER: s.url }, true);
    io.answers.push('0x1000');
    expect(await run(['watch', 'resume', '3'], io)).toBe(0);
    expect(posts()).toBe(1);
    const before = s.seen.length;
    expect(await run(['watch', 'resume', '3', '--yes'], recordingIo({ PHYSWATCH_SERVER: s.url }, false))).toBe(0);
    expect(s.seen.slice(before).map((r) => r.method)).toEqual(['POST']);
    // not paused (or ended): resuming changes nothing, so it does not ask
    const running = await server(() => ({ status: 200, body: { ...paused, rollout: { paused: false } } }));
    expect(await run(['watch', 'resume', '3'], recordingIo({ PHYSWATCH_SERVER: running.url }, false))).toBe(0);
  });

  it('is 1 naming the server when resuming needs admin', async () => {
    const s = await server((req) =>
      req.method === 'GET'
        ? { status: 200, body: { ...WATCH, kdump_on_hit: true, rollout: { paused: true } } }
        : { status: 403, body: { error: 'forbidden', message: 'resuming a kdump_on_hit watch needs role admin; this token (oncall) has role operator' } },
    );
    const io = recordingIo({ PHYSWATCH_SERVER: s.url, PHYSWATCH_TOKEN: 'op' });
    expect(await run(['watch', 'resume', '3', '--yes'], io)).toBe(1);
    expect(io.stderr).toBe(`error: not allowed by ${s.url}: resuming a kdump_on_hit watch needs role admin; this token (oncall) has role operator (token from PHYSWATCH_TOKEN)\n`);
  });

  it('shows every host of a watch, grouped, and -o json prints the server\'s view whole', async () => {
    const s = await server(() => ({ status: 200, body: HOSTS }));
    let io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['watch', 'hosts', '3'], io)).toBe(0);
    expect(s.seen[0].url).toBe('/api/v1/watches/3/hosts');
    expect(io.stdout.split('\n').slice(0, 6).map((l) => l.split(/\s{2,}/))).toEqual([
      ['HOST', 'STATE', 'PADDR', 'SINCE', 'PLACED', 'REASON'],
      ['h1', 'armed', '0x2a0e000', '2026-11-26T10:00:00.000Z', '-', '-'],
      ['h2', 'failed', '-', '2026-11-26T10:00:01.000Z', '-', 'symbol not found'],
      ['h3', 'pending', '-', '-', '-', 'paused: the rollout is paused'],
      ['h4', 'offline', '-', '-', 'yes', '-'],
      ['h5', 'offline', '-', '-', 'no', '-'],
    ]);
    io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['watch', 'hosts', '3', '-o', 'json'], io)).toBe(0);
    expect(JSON.parse(io.stdout)).toEqual(HOSTS);
    const empty = await server(() => ({ status: 200, body: { watch_id: '4', armed: [], failed: [], pending: [], offline: [] } }));
    io = recordingIo({ PHYSWATCH_SERVER: empty.url });
    expect(await run(['watch', 'hosts', '4'], io)).toBe(0);
    expect(io.stdout).toBe('Watch 4 selects no host.\n');
  });

  it('is 2 for an id that is not a watch id, naming it, without contacting the server', async () => {
    const s = await server(() => ({ status: 500, body: {} }));
    for (const command of ['get', 'describe', 'stop', 'pause', 'resume', 'hosts']) {
      const io = recordingIo({ PHYSWATCH_SERVER: s.url });
      expect(await run(['watch', command, 'abc'], io)).toBe(2);
      expect(io.stderr).toBe('error: <id>: "abc" is not a watch id (a whole number, as watch list shows)\n');
    }
    expect(s.seen).toEqual([]);
  });
});
