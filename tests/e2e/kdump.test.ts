/**
 * Kdump end to end with the real orchestrator and real simulated agents: a kdump_on_hit
 * watch's hits become budgeted kdump jobs, the agent obeys or refuses the CrashRequest, and
 * a vmcore found after the reboot is linked to its hit, through orchestrator kills and a
 * Redis that lost this run's keys.
 *
 * The crash itself is the one boundary a simulated agent cannot cross: its sysrq trigger is
 * a plain file (the agent writes "c" there and carries on). The test plays the rest of the
 * crash: it kills the agent, writes the dump kdump-tools would have saved into its crashDir,
 * and starts it again with a new boot id. tests/kernel-chain crashes a real guest.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { corruptMemoryFile } from '@physwatch/agent';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { testRedisUrl } from '../support/env';
import { eventually } from '../support/eventually';
import { deleteRedisKeys } from '../support/redis-keys';
import { Agent, Orchestrator } from '../support/stack';

const WATCHED = 0x2a0e000n;
const started: { stop(signal?: NodeJS.Signals): Promise<void> }[] = [];
const dirs: string[] = [];

afterEach(async (ctx) => {
  // A failed run says what each process logged about kdump: the job states and their reasons.
  if (ctx.task.result?.state === 'fail') {
    for (const child of started.map((s) => (s as Partial<Agent>).child).filter((c) => c !== undefined)) {
      const lines = child.lines.filter((l) => /kdump|crash|vmcore/i.test(String(l.msg)));
      console.log(`--- ${child.name}\n${lines.map((l) => JSON.stringify(l)).join('\n')}\n${child.stderr.slice(-20).join('\n')}`);
    }
  }
  while (started.length) await started.pop()!.stop('SIGKILL');
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function orchestrator(env: Record<string, string>): Promise<{ orch: Orchestrator; api: Api }> {
  const orch = await Orchestrator.start({ env: { SCHEDULER_TICK_MS: '200', ...env } });
  started.push(orch);
  return { orch, api: new Api(orch.url, orch.adminToken) };
}

interface KdumpHostOptions {
  allowCrash?: boolean;
  /** What the crash-kernel file says: "1" loaded, "0" not. */
  crashKernel?: '0' | '1';
  /** Default: a plain file in the state dir. */
  sysrqTrigger?: string;
}

/** A simulated agent with the kdump key: its crash dir, sysrq trigger and crash-kernel flag are files of its own. */
class KdumpHost {
  agent!: Agent;
  boot = 1;
  readonly stateDir: string;

  constructor(
    readonly server: string,
    readonly hostId: string,
    readonly options: KdumpHostOptions = {},
  ) {
    this.stateDir = mkdtempSync(path.join(tmpdir(), `physwatch-kdump-${hostId}-`));
    dirs.push(this.stateDir);
    mkdirSync(this.crashDir);
    writeFileSync(this.crashKernelFile, `${options.crashKernel ?? '1'}\n`);
    // stands in for /proc/sysrq-trigger, which always exists
    if (!options.sysrqTrigger) writeFileSync(this.sysrqFile, '');
  }

  get crashDir(): string {
    return path.join(this.stateDir, 'crash');
  }

  get sysrqFile(): string {
    return this.options.sysrqTrigger ?? path.join(this.stateDir, 'sysrq-trigger');
  }

  get crashKernelFile(): string {
    return path.join(this.stateDir, 'kexec_crash_loaded');
  }

  get bootId(): string {
    return `${this.hostId}-boot-${this.boot}`;
  }

  get configFile(): string {
    return path.join(this.stateDir, 'agent.json');
  }

  async start(): Promise<this> {
    this.agent = await Agent.start({
      server: this.server,
      hostId: this.hostId,
      labels: { suite: 'kdump' },
      stateDir: this.stateDir,
      extra: {
        bootId: this.bootId,
        kdump: { allowCrash: this.options.allowCrash ?? true, crashDir: this.crashDir, sysrqTrigger: this.sysrqFile, crashKernelLoaded: this.crashKernelFile },
      },
    });
    started.push(this.agent);
    await this.agent.child.waitForLog((l) => l.msg === 'stream established');
    return this;
  }

  /** What the sysrq trigger received: "c" once the agent obeyed a CrashRequest. */
  sysrq(): string {
    try {
      return readFileSync(this.sysrqFile, 'utf8');
    } catch {
      return '';
    }
  }

  /**
   * The crash and reboot a simulated host cannot do: the agent dies, kdump-tools' dump of
   * the crashed kernel appears in crashDir, and the host comes back with a new boot id.
   */
  async reboot(dmesgLines: string[] = []): Promise<void> {
    await this.agent.stop('SIGKILL');
    // kdump-tools names the dir by the minute (YYYYMMDDHHMM); one minute per boot keeps them apart
    const stamp = new Date(Date.now() + this.boot * 60_000).toISOString().replace(/[-:T]/g, '').slice(0, 12);
    const dir = path.join(this.crashDir, stamp);
    mkdirSync(dir);
    writeFileSync(path.join(dir, `dump.${stamp}`), Buffer.alloc(8192, this.boot));
    writeFileSync(
      path.join(dir, `dmesg.${stamp}`),
      ['[    0.000000] Linux version 6.1.0-test', ...dmesgLines, '[  100.000000] sysrq: Trigger a crash', '[  100.000001] Kernel panic - not syncing: sysrq triggered crash'].join('\n') + '\n',
    );
    this.boot += 1;
    await this.start();
  }
}

function kdumpWatch(hostIds: string[]) {
  return {
    target: { paddr: `0x${WATCHED.toString(16)}` },
    width: 1,
    condition: 'equals',
    value: '0x33',
    interval: '5ms',
    hosts: { ids: hostIds },
    kdump_on_hit: true,
    rollout: { canary: 0, allow_wide_destructive: true },
  };
}

async function armedOn(api: Api, watchId: string, hostIds: string[]): Promise<void> {
  await eventually(`watch ${watchId} armed on ${hostIds.join(', ')}`, async () => {
    const watch = await api.watch(watchId);
    const failed = watch.assignments?.find((h: any) => h.phase === 'failed');
    if (failed) throw new Error(`watch ${watchId} failed on ${failed.host_id}: ${failed.reason}`);
    const armed = watch.assignments?.filter((h: any) => h.phase === 'armed').map((h: any) => h.host_id) ?? [];
    return hostIds.every((id) => armed.includes(id));
  });
}

async function kdumpJobs(api: Api, query: Record<string, string> = {}): Promise<any[]> {
  const res = await api.request('GET', `/api/v1/kdump-jobs?${new URLSearchParams(query)}`);
  if (res.status !== 200) throw new Error(`kdump-jobs: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.items;
}

async function jobOf(api: Api, hostId: string): Promise<any> {
  const [job] = await kdumpJobs(api, { host_id: hostId });
  return job;
}

/** Waits for the host's job to reach `state`; one that ends in another final state fails at once. */
async function jobState(api: Api, hostId: string, state: string, timeoutMs = 60_000): Promise<any> {
  const job = await eventually(`kdump job of ${hostId} ${state}`, async () => {
    const found = await jobOf(api, hostId);
    return found?.state === state || FINAL.includes(found?.state) ? found : undefined;
  }, timeoutMs);
  if (job.state !== state) throw new Error(`the kdump job of ${hostId} ended ${job.state}, not ${state}: ${job.reason}`);
  return job;
}

const FINAL = ['done', 'denied', 'expired', 'failed'];

async function hitOn(host: KdumpHost): Promise<void> {
  await corruptMemoryFile(host.agent.memoryFile, WATCHED, 1, 0x33n);
}

/** The vmcore linked to a done job: the dump of the crashed boot, with its hit, watch and job. */
async function expectVmcoreLinked(api: Api, job: any, host: KdumpHost, crashedBoot: string): Promise<any> {
  expect(job.vmcore_id).toMatch(/^[0-9]+$/);
  const res = await api.request('GET', `/api/v1/vmcores/${job.vmcore_id}`);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    id: job.vmcore_id,
    host_id: host.hostId,
    crashed_boot_id: crashedBoot,
    hit_id: job.hit_id,
    watch_id: job.watch_id,
    kdump_job_id: job.id,
    crash_request_id: job.id,
    layout: 'kdump-tools',
    size_bytes: '8192',
  });
  expect(res.body.path.startsWith(host.crashDir)).toBe(true);
  expect(res.body.dmesg_excerpt).toContain('Kernel panic - not syncing');
  return res.body;
}

// Real processes, several agent restarts per test: generous, and never a claim about speed.
describe('kdump', { timeout: 180_000 }, () => {
  it('budget: 5 simultaneous kdump hits with max_concurrent 2 -> 2 crash, 3 wait with the reason, and run once the first are collected', async () => {
    const { orch, api } = await orchestrator({ KDUMP_BUDGETS: '[{"selector":"","max_concurrent":2,"max_per_hour":20}]' });
    const ids = ['kd-a', 'kd-b', 'kd-c', 'kd-d', 'kd-e'];
    const hosts = await Promise.all(ids.map((id) => new KdumpHost(orch.grpcAddress, id).start()));
    const watch = await api.createWatch(kdumpWatch(ids));
    await armedOn(api, watch.id, ids);

    await Promise.all(hosts.map((h) => hitOn(h)));
    const first = await eventually('2 jobs crashing and 3 deferred', async () => {
      const jobs = await kdumpJobs(api, { watch_id: watch.id });
      const crashing = jobs.filter((j) => j.state === 'triggering' || j.state === 'awaiting_reboot');
      const deferred = jobs.filter((j) => j.state === 'deferred');
      return jobs.length === 5 && crashing.length === 2 && deferred.length === 3 ? { crashing, deferred } : undefined;
    });
    const crashingHosts: string[] = first.crashing.map((j: any) => j.host_id).sort();
    for (const job of first.deferred) {
      const reason = /^fleet crash budget "fleet": 2 of 2 concurrent crashes in progress \((.*)\)$/.exec(job.reason);
      expect(reason, job.reason).not.toBeNull();
      expect(reason![1].split(', ').sort()).toEqual(crashingHosts);
    }
    for (const job of first.crashing) expect(job.id).toBe(`kdump-${job.hit_id}`);

    const byId = new Map(hosts.map((h) => [h.hostId, h]));
    const crashed = crashingHosts.map((id) => byId.get(id)!);
    // the agents obeyed: "c" written to their sysrq trigger, and to no one else's
    for (const host of crashed) await eventually(`${host.hostId} wrote c to its sysrq trigger`, async () => host.sysrq() === 'c');
    for (const host of crashed) await jobState(api, host.hostId, 'awaiting_reboot');
    for (const host of hosts.filter((h) => !crashingHosts.includes(h.hostId))) expect(host.sysrq()).toBe('');

    await Promise.all(crashed.map((h: KdumpHost) => h.reboot()));
    for (const host of crashed) {
      const done = await jobState(api, host.hostId, 'done');
      expect(done).toMatchObject({ boot_before: `${host.hostId}-boot-1`, boot_after: `${host.hostId}-boot-2`, reason: '', attempts: 1 });
      await expectVmcoreLinked(api, done, host, `${host.hostId}-boot-1`);
    }

    // the budget is free again: two of the three deferred jobs crash next, the third waits
    const second = await eventually('2 more crashing, 1 deferred', async () => {
      const jobs = await kdumpJobs(api, { watch_id: watch.id });
      const crashing = jobs.filter((j) => j.state === 'awaiting_reboot');
      const deferred = jobs.filter((j) => j.state === 'deferred');
      return crashing.length === 2 && deferred.length === 1 ? crashing : undefined;
    });
    const next: KdumpHost[] = second.map((j: any) => byId.get(j.host_id)!);
    const last = hosts.find((h) => !crashed.includes(h) && !next.includes(h))!;
    await Promise.all(next.map((h) => h.reboot()));
    for (const host of next) await jobState(api, host.hostId, 'done');
    await jobState(api, last.hostId, 'awaiting_reboot');
    await last.reboot();
    await jobState(api, last.hostId, 'done');

    const jobs = await kdumpJobs(api, { watch_id: watch.id });
    expect(jobs.map((j) => j.state)).toEqual(['done', 'done', 'done', 'done', 'done']);
    const vmcores = await api.request('GET', `/api/v1/vmcores?watch_id=${watch.id}`);
    expect(vmcores.body.items.map((v: any) => v.hit_id).sort()).toEqual(jobs.map((j) => j.hit_id).sort());
    expect(await api.metric('physwatch_kdump_crash_requests_total')).toBe(5);
    expect(await api.metric('physwatch_vmcores_stored_total')).toBe(5);
    // REST refuses what it cannot use, naming the parameter
    const bad = await api.request('GET', '/api/v1/kdump-jobs?state=sleeping&watch_id=x');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['state', 'watch_id']);
  });

  it('a job deferred longer than KDUMP_DEFER_MAX_MS expires with the budget reason, and crashes nothing', async () => {
    const { orch, api } = await orchestrator({ KDUMP_BUDGETS: '[{"selector":"","max_concurrent":1,"max_per_hour":10}]', KDUMP_DEFER_MAX_MS: '3000' });
    const hosts = await Promise.all(['ex-a', 'ex-b'].map((id) => new KdumpHost(orch.grpcAddress, id).start()));
    const watch = await api.createWatch(kdumpWatch(['ex-a', 'ex-b']));
    await armedOn(api, watch.id, ['ex-a', 'ex-b']);
    await hitOn(hosts[0]);
    await jobState(api, 'ex-a', 'awaiting_reboot');
    await hitOn(hosts[1]);
    const deferred = await jobState(api, 'ex-b', 'deferred');
    expect(deferred.reason).toBe('fleet crash budget "fleet": 1 of 1 concurrent crashes in progress (ex-a)');
    const expired = await jobState(api, 'ex-b', 'expired');
    expect(expired.reason).toBe('deferred longer than KDUMP_DEFER_MAX_MS (3 s): fleet crash budget "fleet": 1 of 1 concurrent crashes in progress (ex-a)');
    expect(expired.triggered_at).toBeNull();
    expect(hosts[1].sysrq()).toBe('');
    expect(await api.metric('physwatch_kdump_crash_requests_total')).toBe(1);
  });

  it('one kdump per (watch, host) and one CrashRequest, through a re-sent hit, a re-enqueued job, kill -9 of the orchestrator and a Redis that lost its keys', async () => {
    const { orch, api } = await orchestrator({ KDUMP_BUDGETS: '[{"selector":"","max_concurrent":2,"max_per_hour":10}]' });
    const a = await new KdumpHost(orch.grpcAddress, 'rs-a').start();
    const b = await new KdumpHost(orch.grpcAddress, 'rs-b').start();
    const watch = await api.createWatch(kdumpWatch(['rs-a', 'rs-b']));
    await armedOn(api, watch.id, ['rs-a', 'rs-b']);

    await hitOn(a);
    const jobA = await jobState(api, 'rs-a', 'awaiting_reboot');
    // more hits of the same watch on the same host: stored, but no second job. The word
    // flips between 0x0 and 0x33 once per probe until the watcher has seen a 0x0 and the
    // next 0x33 is a stored hit (no single poll is visible from outside the agent).
    let flip = 0x0n;
    await eventually('a second hit of rs-a stored', async () => {
      if ((await api.allHits({ host_id: 'rs-a' })).length >= 2) return true;
      await corruptMemoryFile(a.agent.memoryFile, WATCHED, 1, flip);
      flip = flip === 0x0n ? 0x33n : 0x0n;
      return false;
    });
    // the same job enqueued again (as a retry or the sweep would): nothing runs twice
    const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue('jobs', { connection: redis, prefix: `physwatch:${orch.options.schema}` });
    try {
      const awaitRebootId = `await-reboot-${jobA.hit_id}`;
      const ranBefore = (await queue.getJob(awaitRebootId))?.processedOn ?? 0;
      const added = Date.now();
      await queue.add('trigger-kdump', { hit_id: jobA.hit_id }, { jobId: `trigger-kdump-${jobA.hit_id}` });
      await queue.add('await-reboot', { hit_id: jobA.hit_id }, { jobId: awaitRebootId });
      // Time passed for the workers: the added trigger job ran (kdump jobs are removed once
      // done) and the await-reboot job ran again after the adds.
      await eventually('the re-added trigger-kdump job processed', async () => (await queue.getJobState(`trigger-kdump-${jobA.hit_id}`)) === 'unknown');
      await eventually('await-reboot ran again', async () => ((await queue.getJob(awaitRebootId))?.processedOn ?? 0) > Math.max(ranBefore, added));
    } finally {
      await queue.close();
      await redis.quit();
    }
    expect(await kdumpJobs(api, { host_id: 'rs-a' })).toHaveLength(1);
    expect(await api.metric('physwatch_kdump_crash_requests_total')).toBe(1);
    expect(a.agent.child.lines.filter((l) => l.msg === 'crash requested via sysrq')).toHaveLength(1);

    // kill -9 while awaiting the reboot; the job goes on in the restarted orchestrator
    await orch.stop('SIGKILL');
    await orch.spawn();
    await a.reboot();
    const doneA = await jobState(api, 'rs-a', 'done');
    await expectVmcoreLinked(api, doneA, a, 'rs-a-boot-1');

    // Redis loses this run's keys while rs-b awaits its reboot: the sweep re-enqueues
    await hitOn(b);
    await jobState(api, 'rs-b', 'awaiting_reboot');
    const jobB = await jobOf(api, 'rs-b');
    await deleteRedisKeys(testRedisUrl(), `physwatch:${orch.options.schema}:*`);
    await orch.child.waitForLog((l) => l.msg === 'kdump sweep: re-enqueued jobs missing from Redis' && (l.kdumpJobIds as string[]).includes(jobB.id));
    await b.reboot();
    const doneB = await jobState(api, 'rs-b', 'done');
    await expectVmcoreLinked(api, doneB, b, 'rs-b-boot-1');
    expect(await kdumpJobs(api, { watch_id: watch.id })).toHaveLength(2);
    // the restarted process counts from zero: one CrashRequest since the restart, rs-b's
    expect(await api.metric('physwatch_kdump_crash_requests_total')).toBe(1);
  });

  it('denied: by the orchestrator when readiness says no, by the agent when it cannot crash; a dump of an uncommanded panic links to its recovered hit', async () => {
    const { orch, api } = await orchestrator({ KDUMP_BUDGETS: '[{"selector":"","max_concurrent":5,"max_per_hour":10}]' });
    const policy = await new KdumpHost(orch.grpcAddress, 'dn-policy', { allowCrash: false }).start();
    const noKernel = await new KdumpHost(orch.grpcAddress, 'dn-nokernel', { crashKernel: '0' }).start();
    const sysrq = await new KdumpHost(orch.grpcAddress, 'dn-sysrq', { sysrqTrigger: '/nonexistent-physwatch-dir/sysrq-trigger' }).start();
    const ids = ['dn-policy', 'dn-nokernel', 'dn-sysrq'];
    expect((await api.host('dn-policy')).kdump).toEqual({ crash_kernel_loaded: true, crash_allowed: false, policy_source: policy.configFile });
    const watch = await api.createWatch(kdumpWatch(ids));
    await armedOn(api, watch.id, ids);
    for (const host of [policy, noKernel, sysrq]) await hitOn(host);

    const byPolicy = await jobState(api, 'dn-policy', 'denied');
    expect(byPolicy.reason).toBe(`host dn-policy does not allow crashing it: kdump.allowCrash is false in ${policy.configFile}`);
    const byKernel = await jobState(api, 'dn-nokernel', 'denied');
    expect(byKernel.reason).toMatch(/^host dn-nokernel has no crash kernel loaded/);
    const byAgent = await jobState(api, 'dn-sysrq', 'denied');
    expect(byAgent.reason).toMatch(/^host dn-sysrq refused the CrashRequest: sysrq write failed: cannot open \/nonexistent-physwatch-dir\/sysrq-trigger \(ENOENT\)/);
    expect(byAgent.triggered_at).not.toBeNull();
    expect(byPolicy.triggered_at).toBeNull();
    expect(await api.metric('physwatch_kdump_crash_requests_total')).toBe(1);
    expect(sysrq.sysrq()).toBe('');

    // A panic watch's hit the host never sent: recovered from the saved dmesg, stored once
    // with seq null, and the vmcore linked to it.
    const panic = await api.createWatch({ ...kdumpWatch(['dn-policy']), kdump_on_hit: undefined, action: 'panic', rollout: undefined, max_hits: 1 });
    const line = `[   99.500000] physwatch: hit seq=41 id=${panic.id} realtime_ns=1795687782739564950 boottime_ns=99500000000 cpu=0 paddr=0x2a0e000 offset=0x0 width=1 old=0x0 new=0x33 pid=0 comm=swapper/0 ip=native_safe_halt+0xb/0x10 src=timer action=panic`;
    await policy.reboot([line]);
    const vmcore = await eventually('a vmcore of dn-policy', async () => (await api.request('GET', '/api/v1/vmcores?host_id=dn-policy')).body.items[0]);
    await eventually('the agent recorded the ack', async () => readFileSync(path.join(policy.stateDir, 'vmcores-acked.json'), 'utf8').includes(vmcore.path));
    // the same report again (the agent forgot its ack): the same row, the hit still once
    await policy.agent.stop('SIGTERM');
    rmSync(path.join(policy.stateDir, 'vmcores-acked.json'));
    await policy.start();
    await orch.child.waitForLog((l) => l.msg === 'vmcore report repeated; already stored' && l.hostId === 'dn-policy');
    expect((await api.request('GET', '/api/v1/vmcores?host_id=dn-policy')).body.items).toHaveLength(1);
    const recovered = await api.allHits({ watch_id: panic.id });
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({ host_id: 'dn-policy', boot_id: 'dn-policy-boot-1', seq: null, module_seq: '41', source: 'vmcore', action: 'panic', new_value: '0x33' });
    expect(vmcore).toMatchObject({ hit_id: recovered[0].id, watch_id: panic.id, kdump_job_id: null, crash_request_id: null, crashed_boot_id: 'dn-policy-boot-1' });
    expect((await api.request('GET', `/api/v1/vmcores?hit_id=${recovered[0].id}`)).body.items.map((v: any) => v.id)).toEqual([vmcore.id]);
    // a recovered hit counts like a live one: max_hits 1 ends the watch
    await eventually('the panic watch exhausted', async () => (await api.watch(panic.id)).state === 'exhausted');
  });
});

