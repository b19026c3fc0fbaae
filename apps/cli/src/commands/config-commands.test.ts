/** `physwatch config …` against a real config file in a temp directory (no server involved). */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processIo } from '../io';
import { run } from '../program';
import { recordingIo, RecordingIo } from '../test-support';

let home: string;
let file: string;
beforeEach(() => {
  home = mkdtempSync(path.join(tmpdir(), 'physwatch-config-'));
  file = path.join(home, '.config', 'physwatch', 'config.yaml');
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function io(env: Record<string, string> = {}): RecordingIo {
  const recording = recordingIo(env);
  recording.homeDir = home;
  recording.readFile = processIo().readFile;
  return recording;
}

async function cli(args: string[], env: Record<string, string> = {}) {
  const out = io(env);
  const code = await run(args, out);
  return { code, stdout: out.stdout, stderr: out.stderr };
}

describe('physwatch config', () => {
  it('creates the file 0600 in a new directory, lists contexts without printing a token, and switches between them', async () => {
    writeFileSync(path.join(home, 'prod.token'), 'prod-secret\n');
    expect(await cli(['config', 'set-context', 'lab', '--server', '127.0.0.1:9'])).toMatchObject({ code: 0, stdout: `Context "lab" created in ${file}.\n` });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect((await cli(['config', 'set-context', 'prod', '--server', 'https://pw.example/', '--token-file', path.join(home, 'prod.token')])).code).toBe(0);
    expect((await cli(['config', 'use-context', 'prod'])).stdout).toBe('Switched to context "prod" (server https://pw.example).\n');

    const listed = await cli(['config', 'get-contexts']);
    expect(listed.stdout).toBe(['CURRENT   NAME   SERVER               TOKEN', '          lab    http://127.0.0.1:9   none', '*         prod   https://pw.example   set', ''].join('\n'));
    expect(listed.stdout + listed.stderr).not.toContain('prod-secret');
    expect(JSON.parse((await cli(['config', 'get-contexts', '-o', 'json', '--context', 'lab'])).stdout)).toEqual([
      { name: 'lab', server: 'http://127.0.0.1:9', token_set: false, current: true },
      { name: 'prod', server: 'https://pw.example', token_set: true, current: false },
    ]);
    expect((await cli(['config', 'get-contexts', '--names'])).stdout).toBe('lab\nprod\n');
    expect(await cli(['config', 'current-context'])).toEqual({ code: 0, stdout: 'prod\n', stderr: `(from current-context in ${file})\n` });
    expect(await cli(['config', 'current-context'], { PHYSWATCH_CONTEXT: 'lab' })).toEqual({ code: 0, stdout: 'lab\n', stderr: '(from PHYSWATCH_CONTEXT)\n' });
    expect(readFileSync(file, 'utf8')).toContain('token: prod-secret');
    // No temp file is left beside it.
    expect(readdirSync(path.dirname(file))).toEqual(['config.yaml']);
  });

  it('keeps the keys and comments it does not change, and updates a context in place', async () => {
    await cli(['config', 'set-context', 'seed', '--server', 'x:1']);
    writeFileSync(file, '# ops laptop\nserver: http://top:1 # the lab box\ntoken: top-token\ncontexts:\n  lab:\n    server: http://lab:2\n    token: old\n');
    chmodSync(file, 0o644);
    expect((await cli(['config', 'set-context', 'lab', '--token', 'new'])).stdout).toBe(`Context "lab" updated in ${file}.\n`);
    expect((await cli(['config', 'use-context', 'lab'])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('# ops laptop\nserver: http://top:1 # the lab box\ntoken: top-token\ncontexts:\n  lab:\n    server: http://lab:2\n    token: new\ncurrent-context: lab\n');
    // Rewritten 0600 even though it was readable by others before.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const res = await cli(['config', 'delete-context', 'lab']);
    expect(res.stdout).toBe(`Deleted context "lab" from ${file}. It was the current context: none is set now.\n`);
    expect(readFileSync(file, 'utf8')).toBe('# ops laptop\nserver: http://top:1 # the lab box\ntoken: top-token\ncontexts: {}\n');
    expect((await cli(['config', 'set-context', 'lab'])).stderr).toContain('--server: required to create context "lab"');
  });

  it('refuses bad names, a missing --server, both token flags, and unknown contexts, writing nothing', async () => {
    let res = await cli(['config', 'set-context', 'bad name', '--server', 'x:1']);
    expect(res).toMatchObject({ code: 2 });
    expect(res.stderr).toContain('<context>: "bad name" is not a context name');
    res = await cli(['config', 'set-context', 'lab']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--server: required to create context "lab" (existing contexts: none defined)');
    res = await cli(['config', 'set-context', 'lab', '--server', 'x:1', '--token', 't', '--token-file', '/etc/hostname']);
    expect(res.stderr).toContain('--token and --token-file: give one of them, not both');
    res = await cli(['config', 'set-context', 'lab', '--server', 'ftp://x']);
    expect(res.stderr).toContain('--server: "ftp://x" must be an http:// or https:// address');
    res = await cli(['config', 'set-context', 'lab', '--server', 'x:1', '--token-file', path.join(home, 'nope')]);
    expect(res.stderr).toContain(`--token-file: ${path.join(home, 'nope')} does not exist`);
    expect(() => statSync(file)).toThrow();

    await cli(['config', 'set-context', 'lab', '--server', 'x:1']);
    res = await cli(['config', 'use-context', 'prod']);
    expect(res).toMatchObject({ code: 2, stderr: `error: <context>: no context "prod" in ${file} (contexts: lab)\n` });
    expect((await cli(['config', 'delete-context', 'prod'])).code).toBe(2);
    res = await cli(['config', 'current-context']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('no context is in use');
  });

  it('refuses to touch a file that does not parse or has bad keys', async () => {
    await cli(['config', 'set-context', 'lab', '--server', 'x:1']);
    for (const broken of ['server: [unclosed\n', 'sevrer: x\n']) {
      writeFileSync(file, broken);
      const res = await cli(['config', 'set-context', 'prod', '--server', 'y:2']);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(`config file ${file}`);
      expect(readFileSync(file, 'utf8')).toBe(broken);
    }
  });
});
