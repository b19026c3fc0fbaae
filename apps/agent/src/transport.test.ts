/**
 * Transport behaviour of the agent against the in-process TEST DOUBLE of the orchestrator
 * (test-support/fake-orchestrator.ts): mutual TLS, and write backpressure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { toWireWatch } from '@physwatch/proto';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent } from './agent';
import { FakeOrchestrator } from './test-support/fake-orchestrator';
import { agentConfig, armSpec, captureLog, removeTempDirs, simulated, tempDir, testLog } from './test-support/fixtures';
import { selfSigned } from './test-support/self-signed';

describe('agent transport (in-process test double of the orchestrator)', () => {
  let fake: FakeOrchestrator | undefined;
  let agent: Agent | undefined;

  afterEach(async () => {
    await agent?.stop();
    await fake?.stop();
    agent = undefined;
    fake = undefined;
    removeTempDirs();
  });

  it('connects over mutual TLS with tls.ca and the certificate kept in <stateDir>/identity', async () => {
    const dir = tempDir();
    const server = selfSigned(dir, 'server', 'localhost', 'DNS:localhost,IP:127.0.0.1');
    const client = selfSigned(dir, 'agent', 'tls-host', 'URI:physwatch://host/tls-host');
    // As enrollment leaves it (enrollment itself runs against the real orchestrator: tests/e2e/identity.test.ts).
    fs.mkdirSync(path.join(dir, 'identity'));
    fs.copyFileSync(client.cert, path.join(dir, 'identity', 'cert.pem'));
    fs.copyFileSync(client.key, path.join(dir, 'identity', 'key.pem'));
    fs.copyFileSync(client.cert, path.join(dir, 'identity', 'ca.pem'));
    fake = await FakeOrchestrator.start({
      credentials: grpc.ServerCredentials.createSsl(
        fs.readFileSync(client.cert),
        [{ private_key: fs.readFileSync(server.key), cert_chain: fs.readFileSync(server.cert) }],
        true,
      ),
    });
    // By name, as a fleet would: TLS server names are host names, not IP addresses (RFC 6066).
    const config = agentConfig(dir, { server: `localhost:${fake.port}`, hostId: 'tls-host', tls: { ca: server.cert } });
    agent = await Agent.start(config, testLog);
    const hello = await fake.waitFor((r) => r.message.hello ?? undefined, 'hello over mTLS');
    expect(hello.host_id).toBe('tls-host');
  });

  it('loses and repeats nothing when the server stops reading (HTTP/2 flow control pushes back)', async () => {
    const HITS = 16384;
    fake = await FakeOrchestrator.start();
    fake.desired = { generation: '1', watches: [toWireWatch(armSpec({ watchId: '1', len: HITS, target: { kind: 'paddr', paddr: 0x10000n } }))] };
    const stateDir = tempDir();
    const config = agentConfig(stateDir, { server: `127.0.0.1:${fake.port}`, batch: { maxHits: 64, maxDelayMs: 5 } });
    const logged = captureLog('stream buffer full');
    agent = await Agent.start(config, logged.log);
    await fake.waitFor((r) => (r.message.watch_states?.generation === '1' ? true : undefined), 'watch armed');

    fake.pauseReading();
    // A burst over the whole region, like a DMA engine scribbling a page: one hit per byte.
    const fd = fs.openSync(simulated(config).memoryFile, 'r+');
    fs.writeSync(fd, Buffer.alloc(HITS, 0x5a), 0, HITS, 0x10000);
    fs.closeSync(fd);
    while (agent.unackedHits < HITS) await new Promise((resolve) => setTimeout(resolve, 20));
    fake.resumeReading();

    const seqs = await fake.waitFor((r) => {
      const all = fake!.received.flatMap((x) => x.message.hit_batch?.hits ?? []);
      return r.message.hit_batch && all.length >= HITS ? all.map((h) => Number(h.seq)) : undefined;
    }, `all ${HITS} hits`);
    expect(seqs).toEqual(Array.from({ length: HITS }, (_, i) => i + 1));
    expect(fake.received.every((r) => (r.message.hit_batch?.hits.length ?? 0) <= 64)).toBe(true);
    // The agent did meet a full stream, and waited rather than buffering without bound.
    expect(logged.lines.length).toBeGreaterThan(0);
  });
});
