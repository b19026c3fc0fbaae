import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Hit } from '@physwatch/proto';
import { removeTempDirs, tempDir } from '../test-support/fixtures';
import { Spool } from './spool';

const hit = (n: number): Omit<Hit, 'seq'> => ({ watch_id: '1', paddr: String(0x1000 + n), old_value: '0', new_value: String(n), width: 1 });
const seqs = (hits: Hit[] | undefined): string[] => (hits ?? []).map((h) => String(h.seq));
const everything = (spool: Spool): Hit[] => spool.unsent(new Map(), 1_000_000)?.hits ?? [];

describe('spool', () => {
  const open: Spool[] = [];
  async function openSpool(dir: string, bootId = 'boot-a', compactAtBytes?: number): Promise<Spool> {
    const { spool } = await Spool.open(dir, bootId, { compactAtBytes });
    open.push(spool);
    return spool;
  }

  afterEach(async () => {
    for (const spool of open.splice(0)) await spool.close();
    removeTempDirs();
  });

  it('numbers hits from 1 per boot and keeps them until acked', async () => {
    const spool = await openSpool(tempDir());
    expect(seqs(await spool.append([hit(1), hit(2)]))).toEqual(['1', '2']);
    expect(seqs(await spool.append([hit(3)]))).toEqual(['3']);
    expect(spool.unackedCount()).toBe(3);
    expect(spool.ack('boot-a', 2n)).toBe(2);
    expect(seqs(everything(spool))).toEqual(['3']);
  });

  it('survives a crash: a fresh Spool on the same dir (no close) has the unacked hits and the next seq', async () => {
    const dir = tempDir();
    const first = await openSpool(dir);
    await first.append([hit(1), hit(2), hit(3)]);
    first.ack('boot-a', 1n);
    await first.flush();
    // No close() before reopening: like kill -9 (afterEach releases the fd only at the end).

    const second = await openSpool(dir);
    expect(seqs(everything(second))).toEqual(['2', '3']);
    expect(everything(second)[0]).toMatchObject({ new_value: '2', paddr: String(0x1002) });
    expect(second.nextSeq()).toBe(4n);
    expect(seqs(await second.append([hit(4)]))).toEqual(['4']);
  });

  it('keeps a kernel hit\'s module_seq through a restart, so the orchestrator can match its vmcore copy', async () => {
    const dir = tempDir();
    const first = await openSpool(dir);
    await first.append([{ ...hit(1), module_seq: '39' }]);
    await first.flush();
    const second = await openSpool(dir);
    expect(everything(second)[0]).toMatchObject({ seq: '1', module_seq: '39' });
  });

  it('keeps a hit\'s bracket through a restart (the journal holds the wire object as is)', async () => {
    const dir = tempDir();
    const first = await openSpool(dir);
    await first.append([{ ...hit(1), boottime_ns: '5000', last_old_boottime_ns: '4200' }]);
    await first.flush();
    const second = await openSpool(dir);
    expect(everything(second)[0]).toMatchObject({ seq: '1', boottime_ns: '5000', last_old_boottime_ns: '4200' });
  });

  it('ignores a torn last line and never reuses a seq that was made durable', async () => {
    const dir = tempDir();
    const first = await openSpool(dir);
    await first.append([hit(1), hit(2)]);
    await first.flush();
    fs.appendFileSync(path.join(dir, 'journal.jsonl'), '{"t":"h","b":"boot-a","s":"3","h":{"wat');

    const { spool: second, skippedLines } = await Spool.open(dir, 'boot-a');
    open.push(second);
    expect(skippedLines).toBe(1);
    expect(seqs(everything(second))).toEqual(['1', '2']);
    expect(seqs(await second.append([hit(3)]))).toEqual(['3']);
  });

  it('keeps other boots until acked and sends them with their own boot id', async () => {
    const dir = tempDir();
    const old = await openSpool(dir, 'boot-old');
    await old.append([hit(1), hit(2)]);
    await old.close();

    const spool = await openSpool(dir, 'boot-new');
    expect(spool.nextSeq()).toBe(1n); // sequence numbers restart per boot
    await spool.append([hit(9)]);
    expect(spool.unsent(new Map(), 10)).toMatchObject({ bootId: 'boot-old' });
    expect(spool.unsent(new Map([['boot-old', 2n]]), 10)).toMatchObject({ bootId: 'boot-new', hits: [{ seq: '1' }] });
    // What Hello announces, and what a rejection's log line names.
    expect(spool.earlierBoots()).toEqual(['boot-old']);
    expect(spool.find('boot-old', 2n)?.seq).toBe('2');
    expect(spool.find('boot-old', 3n)).toBeUndefined();
    spool.ack('boot-old', 2n);
    expect(spool.unackedCount()).toBe(1);
    expect(spool.earlierBoots()).toEqual([]);
    expect(spool.find('boot-old', 2n)).toBeUndefined();
  });

  it('batches at most `max` hits, continuing after what was sent', async () => {
    const spool = await openSpool(tempDir());
    await spool.append(Array.from({ length: 5 }, (_, i) => hit(i)));
    expect(seqs(spool.unsent(new Map(), 2)?.hits)).toEqual(['1', '2']);
    expect(seqs(spool.unsent(new Map([['boot-a', 2n]]), 2)?.hits)).toEqual(['3', '4']);
    expect(spool.unsent(new Map([['boot-a', 5n]]), 2)).toBeNull();
  });

  it('compacts without losing unacked hits or letting a seq go backwards', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'journal.jsonl');
    const spool = await openSpool(dir, 'boot-a', 512);
    for (let round = 0; round < 20; round++) {
      const appended = await spool.append([hit(round), hit(round)]);
      spool.ack('boot-a', BigInt(appended[0].seq as string));
    }
    await spool.flush();
    // 40 hits written, 20 acked: without compaction the file would hold 60 lines.
    expect(fs.readFileSync(file, 'utf8').trim().split('\n').length).toBeLessThan(45);
    spool.ack('boot-a', 40n);
    await spool.flush();
    expect(fs.statSync(file).size).toBeLessThan(200);

    const reopened = await openSpool(dir, 'boot-a', 512);
    expect(reopened.unackedCount()).toBe(0);
    expect(seqs(await reopened.append([hit(99)]))).toEqual(['41']);
  });

  it('acks for an unknown boot or already-acked seqs change nothing', async () => {
    const spool = await openSpool(tempDir());
    await spool.append([hit(1)]);
    expect(spool.ack('boot-zzz', 10n)).toBe(0);
    expect(spool.ack('boot-a', 0n)).toBe(0);
    expect(spool.unackedCount()).toBe(1);
  });
});
