import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Hit } from '@physwatch/proto';
import { removeTempDirs, tempDir } from '../test-support/fixtures';
import { Spool, SpoolMemory } from './spool';

const hit = (n: number): Omit<Hit, 'seq'> => ({ watch_id: '1', paddr: String(0x1000 + n), old_value: '0', new_value: String(n), width: 1 });
const CAP: SpoolMemory = { hits: 10, bytes: 1024 * 1024 };

/**
 * Plays the relay and the orchestrator over one stream: sends what memory holds, reads
 * back from disk when memory has nothing unsent, acks every batch. Returns every
 * "boot/seq" sent in order and the most hits memory ever held.
 */
async function drain(spool: Spool, batch = 4): Promise<{ sent: string[]; peak: number }> {
  const sentUpTo = new Map<string, bigint>();
  const sent: string[] = [];
  let peak = spool.backlog().inMemory;
  for (;;) {
    const next = spool.unsent(sentUpTo, batch);
    if (!next) {
      if ((await spool.readBack()).loaded > 0) {
        peak = Math.max(peak, spool.backlog().inMemory);
        continue;
      }
      return { sent, peak };
    }
    for (const h of next.hits) sent.push(`${next.bootId}/${h.seq}`);
    const last = BigInt(next.hits[next.hits.length - 1].seq as string);
    sentUpTo.set(next.bootId, last);
    spool.ack(next.bootId, last);
  }
}

const range = (boot: string, from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `${boot}/${from + i}`);

describe('spool with a memory cap', () => {
  const open: Spool[] = [];
  async function openSpool(dir: string, options: { bootId?: string; memory?: SpoolMemory; compactAtBytes?: number } = {}): Promise<Spool> {
    const { spool } = await Spool.open(dir, options.bootId ?? 'boot-a', { memory: options.memory ?? CAP, compactAtBytes: options.compactAtBytes });
    open.push(spool);
    return spool;
  }

  afterEach(async () => {
    for (const spool of open.splice(0)) await spool.close();
    removeTempDirs();
  });

  it('holds at most the cap in memory whatever the backlog, counts the rest exactly, and delivers all in order', async () => {
    const spool = await openSpool(tempDir());
    for (let i = 0; i < 50; i++) await spool.append(Array.from({ length: 20 }, (_, j) => hit(i * 20 + j)));
    expect(spool.backlog()).toMatchObject({ unacked: 1000, inMemory: 10, onDisk: 990 });
    expect(spool.unackedCount()).toBe(1000);

    const { sent, peak } = await drain(spool);
    expect(peak).toBeLessThanOrEqual(CAP.hits);
    expect(sent).toEqual(range('boot-a', 1, 1000));
    expect(spool.backlog()).toMatchObject({ unacked: 0, inMemory: 0, onDisk: 0 });
  });

  it('re-sends from the oldest unacked hit after a reconnect, reading it back from disk, none twice in a stream', async () => {
    const spool = await openSpool(tempDir());
    await spool.append(Array.from({ length: 100 }, (_, i) => hit(i)));
    // First stream: 10 sent (all memory holds), 4 acked, then the stream breaks.
    const first = spool.unsent(new Map(), 10)!;
    expect(first.hits.map((h) => h.seq)).toEqual(range('x', 1, 10).map((s) => s.slice(2)));
    spool.ack('boot-a', 4n);
    expect(spool.backlog()).toMatchObject({ unacked: 96, inMemory: 6, onDisk: 90 });

    // A new stream starts from nothing sent.
    const { sent, peak } = await drain(spool, 3);
    expect(peak).toBeLessThanOrEqual(CAP.hits);
    expect(sent).toEqual(range('boot-a', 5, 100));
  });

  it('loses nothing when restarted mid-backlog (no close, like kill -9), and opens within the cap', async () => {
    const dir = tempDir();
    const first = await openSpool(dir);
    for (let i = 0; i < 10; i++) await first.append(Array.from({ length: 50 }, (_, j) => hit(i * 50 + j)));
    first.ack('boot-a', 3n);
    await first.flush();

    const second = await openSpool(dir);
    expect(second.backlog()).toMatchObject({ unacked: 497, inMemory: 10, onDisk: 487 });
    expect(second.nextSeq()).toBe(501n);
    await second.append([hit(500)]);
    const { sent, peak } = await drain(second);
    expect(peak).toBeLessThanOrEqual(CAP.hits);
    expect(sent).toEqual(range('boot-a', 4, 501));
  });

  it('sends an earlier boot\'s backlog first, then this boot\'s, both beyond the cap', async () => {
    const dir = tempDir();
    const old = await openSpool(dir, { bootId: 'boot-old' });
    await old.append(Array.from({ length: 40 }, (_, i) => hit(i)));
    await old.close();

    const spool = await openSpool(dir, { bootId: 'boot-new' });
    await spool.append(Array.from({ length: 30 }, (_, i) => hit(i)));
    expect(spool.backlog()).toMatchObject({ unacked: 70, inMemory: 10, onDisk: 60 });
    expect(spool.earlierBoots()).toEqual(['boot-old']);
    const { sent } = await drain(spool);
    expect(sent).toEqual([...range('boot-old', 1, 40), ...range('boot-new', 1, 30)]);
    expect(spool.earlierBoots()).toEqual([]);
  });

  it('compacts while hits wait on disk: they are copied, not lost, and the journal shrinks', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'journal.jsonl');
    const spool = await openSpool(dir, { compactAtBytes: 2048 });
    await spool.append(Array.from({ length: 200 }, (_, i) => hit(i)));
    const sizeBefore = fs.statSync(file).size;
    // Acks of what memory holds, a few at a time, force rewrites with 190 hits on disk.
    const sentUpTo = new Map<string, bigint>();
    const sent: string[] = [];
    for (let round = 0; round < 30; round++) {
      let next = spool.unsent(sentUpTo, 5);
      if (!next) {
        await spool.readBack();
        next = spool.unsent(sentUpTo, 5)!;
      }
      for (const h of next.hits) sent.push(`boot-a/${h.seq}`);
      const last = BigInt(next.hits[next.hits.length - 1].seq as string);
      sentUpTo.set('boot-a', last);
      spool.ack('boot-a', last);
      await spool.flush();
    }
    expect(fs.statSync(file).size).toBeLessThan(sizeBefore);
    expect(spool.unackedCount()).toBe(50);
    const rest = await drain(spool);
    expect([...sent, ...rest.sent]).toEqual(range('boot-a', 1, 200));
  });

  it('an ack reaching past memory into the hits on disk keeps the count exact', async () => {
    const spool = await openSpool(tempDir());
    await spool.append(Array.from({ length: 100 }, (_, i) => hit(i)));
    expect(spool.ack('boot-a', 60n)).toBe(60);
    expect(spool.backlog()).toMatchObject({ unacked: 40, inMemory: 0, onDisk: 40 });
    const { sent } = await drain(spool);
    expect(sent).toEqual(range('boot-a', 61, 100));
  });

  it('bounds memory by bytes too, always keeping at least one hit', async () => {
    const spool = await openSpool(tempDir(), { memory: { hits: 1000, bytes: 1 } });
    await spool.append(Array.from({ length: 20 }, (_, i) => hit(i)));
    expect(spool.backlog()).toMatchObject({ unacked: 20, inMemory: 1, onDisk: 19 });
    const { sent, peak } = await drain(spool);
    expect(peak).toBe(1);
    expect(sent).toEqual(range('boot-a', 1, 20));
  });

  it('a damaged line of a hit on disk is reported lost on read-back, the others still go in order', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'journal.jsonl');
    const spool = await openSpool(dir);
    await spool.append(Array.from({ length: 15 }, (_, i) => hit(i)));
    await spool.flush();
    // Overwrite hit 12's line in place with garbage of the same length.
    const text = fs.readFileSync(file, 'utf8');
    const line = text.split('\n').find((l) => l.includes('"s":"12"'))!;
    fs.writeFileSync(file, text.replace(line, 'x'.repeat(line.length)));
    spool.ack('boot-a', 10n);
    const readBack = await spool.readBack();
    expect(readBack).toEqual({ loaded: 4, lost: 1 });
    expect(spool.unackedCount()).toBe(4);
    const { sent } = await drain(spool);
    expect(sent).toEqual(['boot-a/11', 'boot-a/13', 'boot-a/14', 'boot-a/15']);
  });
});
