/**
 * kdump through the agent, against the in-process TEST DOUBLE of the orchestrator
 * (test-support/fake-orchestrator.ts): readiness in Hello, a CrashRequest answered and
 * obeyed, and a dump found after the "reboot" reported until acked. The host's /proc and
 * /sys files are plain files in the state dir: sysrq 'c' lands in a file, nothing crashes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrashReply, CrashRequest } from './kdump/crash-handler';
import type { VmcoreReport } from './kdump/vmcore-report';
import { Agent } from './agent';
import { loadConfigFile } from './config/load-config';
import { ackedFile } from './kdump/vmcore-reporter';
import { FakeOrchestrator, Received } from './test-support/fake-orchestrator';
import { kdumpCompressed, kdumpToolsDump } from './test-support/dump-fixtures';
import { agentConfigInput, NO_IDENTITY_FILES, removeTempDirs, tempDir, testLog } from './test-support/fixtures';

const HIT =
  '[   52.684968] physwatch: hit seq=39 id=10 realtime_ns=1795687782739564950 boottime_ns=52646884674 cpu=0 paddr=0x20000040 offset=0x0 width=4 old=0x0 new=0x99 pid=3049 comm=sync ip=ksys_sync+0x0/0xa0 src=ftrace action=report';
const PANIC = '[   52.690000] Kernel panic - not syncing: sysrq triggered crash';

const replyTo = (requestId: string) => (r: Received): CrashReply | undefined =>
  r.message.crash_reply?.request_id === requestId ? r.message.crash_reply : undefined;
const reportOf = (file: string, fromStream: number) => (r: Received): VmcoreReport | undefined =>
  r.stream >= fromStream && r.message.vmcore_report?.path === file ? r.message.vmcore_report : undefined;

describe('kdump through the agent (in-process test double of the orchestrator)', () => {
  let fake: FakeOrchestrator;
  let stateDir: string;
  let kdump: { allowCrash: boolean; crashDir: string; sysrqTrigger: string; crashKernelLoaded: string };
  const agents: Agent[] = [];

  /** Writes the config to a file, as a host would have it, and starts an agent from it. */
  async function startAgent(bootId: string, allowCrash: boolean): Promise<{ agent: Agent; configFile: string }> {
    const configFile = path.join(stateDir, `agent-${bootId}.json`);
    const input = agentConfigInput(stateDir, { server: `127.0.0.1:${fake.port}`, bootId, drainTimeoutMs: 300, kdump: { ...kdump, allowCrash } });
    fs.writeFileSync(configFile, JSON.stringify(input));
    const agent = await Agent.start(loadConfigFile(configFile, {}, NO_IDENTITY_FILES), testLog);
    agents.push(agent);
    return { agent, configFile };
  }

  const crashRequest = (overrides: Partial<CrashRequest> = {}): CrashRequest => ({ request_id: 'kdump-9', boot_id: 'boot-a', watch_id: '10', hit_id: '9', ...overrides });

  beforeEach(async () => {
    fake = await FakeOrchestrator.start();
    stateDir = tempDir();
    kdump = {
      allowCrash: false,
      crashDir: path.join(stateDir, 'crash'),
      sysrqTrigger: path.join(stateDir, 'sysrq-trigger'),
      crashKernelLoaded: path.join(stateDir, 'kexec_crash_loaded'),
    };
    fs.writeFileSync(kdump.sysrqTrigger, '');
    fs.writeFileSync(kdump.crashKernelLoaded, '1\n');
  });

  afterEach(async () => {
    for (const agent of agents.splice(0)) await agent.stop();
    await fake.stop();
    removeTempDirs();
  });

  it('says in Hello whether it may be crashed, and refuses a CrashRequest its config forbids, naming the file', async () => {
    const { configFile } = await startAgent('boot-a', false);
    const hello = await fake.waitFor((r) => r.message.hello ?? undefined, 'hello');
    expect(hello.kdump).toEqual({ crash_kernel_loaded: true, crash_allowed: false, policy_source: configFile });

    fake.crash(crashRequest());
    expect(await fake.waitFor(replyTo('kdump-9'), 'crash reply')).toEqual({
      request_id: 'kdump-9',
      accepted: false,
      reason: `local policy forbids crashing this host: kdump.allowCrash is false in ${configFile}`,
    });
    expect(fs.readFileSync(kdump.sysrqTrigger, 'utf8')).toBe('');
  });

  it('obeys an allowed CrashRequest; after the reboot reports the dump, attributed, until acked and not after', async () => {
    // Boot A: the orchestrator asks for the crash; the agent records it and writes 'c'.
    const { agent: first } = await startAgent('boot-a', true);
    const hello = await fake.waitFor((r) => r.message.hello ?? undefined, 'hello');
    expect(hello.kdump).toMatchObject({ crash_kernel_loaded: true, crash_allowed: true });
    fake.crash(crashRequest());
    expect(await fake.waitFor(replyTo('kdump-9'), 'crash reply')).toEqual({ request_id: 'kdump-9', accepted: true, reason: '' });
    await expect.poll(() => fs.readFileSync(kdump.sysrqTrigger, 'utf8')).toBe('c');
    expect(JSON.parse(fs.readFileSync(path.join(stateDir, 'crash-request.json'), 'utf8'))).toMatchObject({ requestId: 'kdump-9', bootId: 'boot-a', watchId: '10', hitId: '9' });
    await first.stop();

    // The crash kernel saved a dump; the host is back in boot B.
    const crashSeconds = BigInt(Math.ceil(Date.now() / 1000));
    const dump = kdumpToolsDump(kdump.crashDir, '202611261223', kdumpCompressed({ seconds: crashSeconds }), `${HIT}\n${PANIC}\n`);
    let stream = fake.streams;
    await startAgent('boot-b', true);
    const report = await fake.waitFor(reportOf(dump.dump, stream), 'vmcore report');
    expect(report).toMatchObject({
      layout: 'kdump-tools',
      format: 'kdump-compressed',
      crash_time_unix_ms: String(crashSeconds * 1000n),
      crashed_boot_id: 'boot-a',
      crash_request_id: 'kdump-9',
      dmesg_excerpt: `${HIT}\n${PANIC}\n`,
      recovered_hits: [expect.objectContaining({ seq: '0', module_seq: '39', watch_id: '10' })],
    });

    // Not acked: every new stream carries it again.
    stream = fake.streams;
    await fake.restart();
    await fake.waitFor(reportOf(dump.dump, stream), 'vmcore report after reconnect');

    fake.ackVmcore(dump.dump, '5');
    await expect.poll(() => fs.existsSync(ackedFile(stateDir)) && fs.readFileSync(ackedFile(stateDir), 'utf8')).toContain(dump.dump);

    // Acked: the next stream reports only a dump it has not seen (scanned in path order, after the acked one).
    const later = kdumpToolsDump(kdump.crashDir, '202611261500', kdumpCompressed({ seconds: crashSeconds + 60n }));
    stream = fake.streams;
    await fake.restart();
    await fake.waitFor(reportOf(later.dump, stream), 'report of the newer dump');
    expect(fake.received.filter((r) => reportOf(dump.dump, stream)(r))).toEqual([]);
  });
});
