import { afterEach, describe, expect, it } from 'vitest';
import type { AgentMessage } from '@physwatch/proto';
import type { BackendHit } from '../backend/watch-backend';
import { Spool } from '../spool/spool';
import { captureLog, removeTempDirs, tempDir } from '../test-support/fixtures';
import { HitRelay, HitSender } from './hit-relay';

// Asserted, not annotated: BackendHit is gaining fields in parallel work, which this test does not need.
const backendHit = (n: number): BackendHit => ({
  watchId: '7', realtimeNs: BigInt(n), boottimeNs: BigInt(n), cpu: 0, paddr: 4096n, offset: 0, width: 4, oldValue: 0n,
  newValue: BigInt(n), pid: 1, comm: 'swapper/0', ip: 'memset+0x10/0x40', stack: [], action: 'report', lastOldBoottimeNs: null,
  writer: null, writerReason: null, smiCount: null,
}) as BackendHit;

/**
 * Stands in for the gRPC stream (GatewayConnection is exercised against a real server in
 * agent.test.ts); here the test decides when the stream is up and when batches are acked.
 */
class StreamDouble implements HitSender {
  connected = false;
  readonly batches: Array<{ bootId: string; seqs: string[] }> = [];
  async send(message: AgentMessage): Promise<boolean> {
    if (!this.connected || !message.hit_batch) return false;
    this.batches.push({ bootId: message.hit_batch.boot_id as string, seqs: (message.hit_batch.hits ?? []).map((h) => String(h.seq)) });
    return true;
  }
}

describe('HitRelay over a backlog beyond the spool memory cap', () => {
  const spools: Spool[] = [];
  afterEach(async () => {
    for (const spool of spools.splice(0)) await spool.close();
    removeTempDirs();
  });

  it('keeps spooling while the stream is down, holds at most the cap in memory, says it is behind, then delivers all in order and says it caught up', async () => {
    const { spool } = await Spool.open(tempDir(), 'boot-a', { memory: { hits: 50, bytes: 1024 * 1024 } });
    spools.push(spool);
    const { log, lines } = captureLog('"msg":"');
    const stream = new StreamDouble();
    const relay = new HitRelay(spool, stream, { maxHits: 20, maxDelayMs: 1 }, log);

    for (let n = 1; n <= 1000; n++) relay.add(backendHit(n));
    // The producer never waits for the network: the hits are durable with no stream at all.
    await relay.flush();
    await relay.idle();
    expect(spool.backlog()).toMatchObject({ unacked: 1000, inMemory: 50, onDisk: 950 });
    const behind = lines.filter((l) => String(l.msg).startsWith('behind'));
    expect(behind).toHaveLength(1);
    expect(behind[0]).toMatchObject({ capHits: 50 });

    stream.connected = true;
    relay.streamOpened();
    let peak = 0;
    let acked = 0;
    for (;;) {
      await relay.idle();
      peak = Math.max(peak, spool.backlog().inMemory);
      const next = stream.batches[acked];
      if (!next) break;
      acked++;
      relay.acked({ boot_id: next.bootId, up_to_seq: next.seqs[next.seqs.length - 1], rejected: [] });
    }
    expect(peak).toBeLessThanOrEqual(50);
    expect(stream.batches.flatMap((b) => b.seqs)).toEqual(Array.from({ length: 1000 }, (_, i) => String(i + 1)));
    expect(spool.unackedCount()).toBe(0);
    const caughtUp = lines.filter((l) => String(l.msg).startsWith('caught up'));
    expect(caughtUp).toHaveLength(1);
    expect(caughtUp[0]).toMatchObject({ onDisk: 0 });
    relay.stop();
  });
});
