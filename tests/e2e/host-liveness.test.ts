/**
 * A host that falls silent goes offline by time, not by a disconnect: a real agent process
 * is stopped with SIGSTOP, so its TCP stream stays open and only its heartbeats stop. After
 * HOST_OFFLINE_AFTER_MS the REST answer says offline but still connected; SIGCONT brings the
 * heartbeats, and the host is online again on the same stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { eventually } from '../support/eventually';
import { Agent, Orchestrator } from '../support/stack';

// Three of the agent's 1 s heartbeats: small, yet never reached by a running agent on a busy machine.
const OFFLINE_AFTER_MS = 3000;

let orch: Orchestrator;
let api: Api;
let agent: Agent;

beforeAll(async () => {
  orch = await Orchestrator.start({ env: { HOST_OFFLINE_AFTER_MS: String(OFFLINE_AFTER_MS) } });
  api = new Api(orch.url, orch.adminToken);
  agent = await Agent.start({ server: orch.grpcAddress, hostId: 'host-silent', labels: { suite: 'liveness' } });
});

afterAll(async () => {
  if (agent?.child.alive) agent.child.process.kill('SIGCONT');
  await agent?.stop('SIGKILL');
  agent?.removeState();
  await orch?.stop();
});

describe('host liveness', () => {
  it('a SIGSTOPped agent is offline but connected after HOST_OFFLINE_AFTER_MS of silence, and online again after SIGCONT, on the same stream', async () => {
    const online = await eventually('host-silent online', async () => {
      const host = await api.host('host-silent');
      return host?.online ? host : undefined;
    });
    expect(online).toMatchObject({ id: 'host-silent', online: true, connected: true });
    const bootId = online.boot_id;

    agent.child.process.kill('SIGSTOP');
    const silent = await eventually('host-silent offline', async () => {
      const host = await api.host('host-silent');
      return host.online === false ? host : undefined;
    });
    expect(silent).toMatchObject({ id: 'host-silent', online: false, connected: true, boot_id: bootId });
    // Offline because nothing was heard for the whole grace (same clock as the orchestrator's).
    expect(Date.now() - Date.parse(silent.last_seen_at)).toBeGreaterThanOrEqual(OFFLINE_AFTER_MS);
    const listed = (await api.request('GET', '/api/v1/hosts')).body.items.find((h: any) => h.id === 'host-silent');
    expect(listed).toMatchObject({ online: false, connected: true, last_seen_at: silent.last_seen_at });
    // The stream is still open: the orchestrator still counts the agent as connected.
    expect(await api.metric('physwatch_agents_connected')).toBe(1);

    agent.child.process.kill('SIGCONT');
    const back = await eventually('host-silent online again', async () => {
      const host = await api.host('host-silent');
      return host.online ? host : undefined;
    });
    expect(back).toMatchObject({ id: 'host-silent', online: true, connected: true, boot_id: bootId });
    expect(Date.parse(back.last_seen_at)).toBeGreaterThan(Date.parse(silent.last_seen_at));
    // Heard again through the stream it never closed: one connect in the orchestrator's log, no reconnect.
    expect(orch.child.lines.filter((l) => l.msg === 'agent connected' && l.hostId === 'host-silent')).toHaveLength(1);
  });
});
