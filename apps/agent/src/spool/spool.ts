/**
 * The on-disk spool (stateDir/spool/journal.jsonl): every hit is numbered and fsync'd here
 * before it may be sent, and leaves only when the orchestrator acks it. Sequence numbers
 * are per boot and continue across restarts, even after kill -9.
 *
 * Memory is bounded (`memory`): the oldest unacked hits, up to the cap, are kept in memory
 * to be sent and re-sent; hits beyond it are only on disk, as runs of seqs, and are read
 * back from the journal in order as acks make room. The disk is the buffer, so a backlog
 * of hours costs disk, not memory.
 *
 * Invariant: every boot (in send order, this boot last) and every seq within it form one
 * order; the hits in memory are a prefix of the unacked hits in that order, the hits only
 * on disk are the rest, and the journal holds those from `readOffset` on in that order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Hit } from '@physwatch/proto';
import { encodeLine, JournalReader, parseLine } from './journal-format';
import { SeqQueue } from './seq-queue';
import { SeqRanges } from './seq-ranges';

export interface SpoolMemory {
  /** At most this many unacked hits in memory. */
  hits: number;
  /** And at most this many bytes of their journal lines (one hit always fits). */
  bytes: number;
}

/** The agent config's `spool.memoryHits` / `spool.memoryBytes` defaults (apps/agent/README.md). */
export const SPOOL_MEMORY_DEFAULT: SpoolMemory = { hits: 20_000, bytes: 16 * 1024 * 1024 };

export interface SpoolOptions {
  /** Rewrite the journal once it is larger than this and at least half of it is dead. */
  compactAtBytes?: number;
  memory?: SpoolMemory;
}

export interface SpooledBatch {
  bootId: string;
  /** In seq order, each with its `seq` set. */
  hits: Hit[];
}

export interface SpoolBacklog {
  unacked: number;
  inMemory: number;
  inMemoryBytes: number;
  /** Unacked hits held only on disk: non-zero means the agent is behind. */
  onDisk: number;
}

export interface ReadBack {
  loaded: number;
  /** Hits counted on disk that the journal no longer holds (damaged lines). */
  lost: number;
}

interface Boot {
  highest: bigint;
  memory: SeqQueue<Hit>;
  disk: SeqRanges;
}

const JOURNAL = 'journal.jsonl';
const COPY_FLUSH_BYTES = 1024 * 1024;

export class Spool {
  private boots = new Map<string, Boot>();
  private handle: fs.promises.FileHandle | undefined;
  private fileBytes = 0;
  private liveBytes = 0;
  private inMemory = 0;
  private inMemoryBytes = 0;
  private onDisk = 0;
  /** Journal bytes of the hits only on disk; per-hit sizes are not kept, so acks take the average. */
  private onDiskBytes = 0;
  /** Every hit only on disk is at or after this byte of the journal. */
  private readOffset = 0;
  // One writer at a time: appends, ack lines, read-backs and compaction are queued behind each other.
  private chain: Promise<void> = Promise.resolve();
  private readonly compactAtBytes: number;
  readonly memory: SpoolMemory;

  private constructor(
    readonly dir: string,
    readonly bootId: string,
    options: SpoolOptions,
  ) {
    this.compactAtBytes = options.compactAtBytes ?? 1024 * 1024;
    this.memory = options.memory ?? SPOOL_MEMORY_DEFAULT;
  }

  /**
   * Opens (or creates) the spool; a journal left by a crashed agent is recovered as is,
   * read as a stream so a backlog larger than memory opens within the memory cap.
   */
  static async open(dir: string, bootId: string, options: SpoolOptions = {}): Promise<{ spool: Spool; skippedLines: number }> {
    await fs.promises.mkdir(dir, { recursive: true });
    await fs.promises.rm(path.join(dir, `${JOURNAL}.tmp`), { force: true });
    const spool = new Spool(dir, bootId, options);
    const skippedLines = await spool.recover();
    // Rewriting at once drops a torn tail, so later appends start on a clean line, and
    // puts the journal in send order.
    await spool.compact();
    await spool.readBack();
    return { spool, skippedLines };
  }

  /** The seq the next appended hit of this boot will get. */
  nextSeq(): bigint {
    return this.boot(this.bootId).highest + 1n;
  }

  unackedCount(): number {
    return this.inMemory + this.onDisk;
  }

  backlog(): SpoolBacklog {
    return { unacked: this.unackedCount(), inMemory: this.inMemory, inMemoryBytes: this.inMemoryBytes, onDisk: this.onDisk };
  }

  /**
   * Numbers the hits in this boot, appends and fsyncs them; resolves once they are durable
   * (and only then visible to `unsent`). Seqs are taken at once, so a failed write burns
   * them rather than risk handing them out twice.
   */
  append(hits: Omit<Hit, 'seq'>[]): Promise<Hit[]> {
    const boot = this.boot(this.bootId);
    const numbered = hits.map((hit) => ({ ...hit, seq: String(++boot.highest) }));
    return this.enqueue(async () => {
      const lines = numbered.map((hit) => encodeLine({ t: 'h', b: this.bootId, s: hit.seq, h: hit }));
      if (this.onDisk === 0) this.readOffset = this.fileBytes;
      await this.write(lines.join(''), true);
      numbered.forEach((hit, i) => {
        const seq = BigInt(hit.seq);
        const bytes = lines[i].length;
        this.liveBytes += bytes;
        if (this.onDisk === 0 && this.hasRoom(bytes)) this.keep(boot, { seq, value: hit, bytes });
        else {
          boot.disk.add(seq);
          this.onDisk++;
          this.onDiskBytes += bytes;
        }
      });
      return numbered;
    });
  }

  /** Earlier boots that still hold unacked hits: announced in Hello, so those hits may be stored. */
  earlierBoots(): string[] {
    return [...this.boots].filter(([id, boot]) => id !== this.bootId && boot.memory.size + boot.disk.size > 0).map(([id]) => id);
  }

  /** The unacked hit of `bootId` numbered `seq`, if it is in memory (sent hits are). */
  find(bootId: string, seq: bigint): Hit | undefined {
    const [entry] = this.boots.get(bootId)?.memory.after(seq - 1n, 1) ?? [];
    return entry?.seq === seq ? entry.value : undefined;
  }

  /** Drops every hit of `bootId` with seq <= upTo. Returns how many were dropped. */
  ack(bootId: string, upTo: bigint): number {
    const boot = this.boots.get(bootId);
    if (!boot) return 0;
    const dropped = boot.memory.dropUpTo(upTo);
    for (const entry of dropped) {
      this.inMemoryBytes -= entry.bytes;
      this.liveBytes -= entry.bytes;
    }
    this.inMemory -= dropped.length;
    // Acks cover sent hits, which are in memory; an ack reaching past them (hits the
    // orchestrator stored from an earlier stream) still counts exactly.
    const droppedOnDisk = boot.disk.dropUpTo(upTo);
    if (droppedOnDisk > 0) this.forgetOnDisk(droppedOnDisk, (this.onDiskBytes / this.onDisk) * droppedOnDisk);
    const count = dropped.length + droppedOnDisk;
    if (count === 0) return 0;
    // Not fsync'd: losing an ack line only means a re-send, which the server dedupes.
    void this.enqueue(async () => {
      await this.write(encodeLine({ t: 'a', b: bootId, s: String(upTo) }), false);
      if (this.fileBytes > this.compactAtBytes && this.fileBytes > 2 * this.liveBytes) await this.rewrite();
    }).catch(() => undefined);
    return count;
  }

  /** The oldest hits in memory not yet sent on this stream, at most `max`, all from one boot. */
  unsent(sentUpTo: ReadonlyMap<string, bigint>, max: number): SpooledBatch | null {
    for (const [bootId, boot] of this.boots) {
      const entries = boot.memory.after(sentUpTo.get(bootId) ?? 0n, max);
      if (entries.length > 0) return { bootId, hits: entries.map((e) => e.value) };
    }
    return null;
  }

  /** Moves hits only on disk into memory, in order, as far as the cap allows. */
  readBack(): Promise<ReadBack> {
    if (this.onDisk === 0 || !this.hasRoom(0)) return Promise.resolve({ loaded: 0, lost: 0 });
    return this.enqueue(() => this.load());
  }

  /** Rewrites the journal with only what is still needed. */
  compact(): Promise<void> {
    return this.enqueue(() => this.rewrite());
  }

  /** Waits for queued writes; the spool stays open. */
  flush(): Promise<void> {
    return this.enqueue(async () => undefined);
  }

  async close(): Promise<void> {
    await this.flush().catch(() => undefined);
    await this.handle?.close();
    this.handle = undefined;
  }

  private get file(): string {
    return path.join(this.dir, JOURNAL);
  }

  private boot(bootId: string): Boot {
    let boot = this.boots.get(bootId);
    if (!boot) {
      boot = { highest: 0n, memory: new SeqQueue<Hit>(), disk: new SeqRanges() };
      this.boots.set(bootId, boot);
    }
    return boot;
  }

  private hasRoom(bytes: number): boolean {
    return this.inMemory < this.memory.hits && (this.inMemory === 0 || this.inMemoryBytes + bytes <= this.memory.bytes);
  }

  private keep(boot: Boot, entry: { seq: bigint; value: Hit; bytes: number }): void {
    boot.memory.push(entry);
    this.inMemory++;
    this.inMemoryBytes += entry.bytes;
  }

  private forgetOnDisk(count: number, bytes: number): void {
    this.onDisk -= count;
    this.onDiskBytes = this.onDisk === 0 ? 0 : Math.max(0, this.onDiskBytes - bytes);
    this.liveBytes = Math.max(0, this.liveBytes - bytes);
  }

  /**
   * Learns from the journal, a line at a time, each boot's highest seq and which of its
   * hits are unacked; they all start on disk only. Returns the lines it had to skip.
   */
  private async recover(): Promise<number> {
    const acked = new Map<string, bigint>();
    const lastHit = new Map<string, bigint>();
    const reader = new JournalReader(this.file);
    let skipped = 0;
    for await (const raw of reader.lines()) {
      const line = parseLine(raw.text);
      if (!line) {
        skipped++;
        continue;
      }
      const boot = this.boot(line.b);
      const seq = BigInt(line.s);
      if (seq > boot.highest) boot.highest = seq;
      // A hit at or below the boot's last one could only be a duplicate of one already counted.
      if (line.t === 'h' && seq > (lastHit.get(line.b) ?? 0n)) {
        boot.disk.add(seq);
        lastHit.set(line.b, seq);
      }
      if (line.t === 'a' && seq > (acked.get(line.b) ?? 0n)) acked.set(line.b, seq);
    }
    if (reader.torn()) skipped++;
    for (const [bootId, upTo] of acked) this.boots.get(bootId)!.disk.dropUpTo(upTo);
    // This boot is sent last: its hits are the newest, and only it is appended to.
    const current = this.boot(this.bootId);
    this.boots.delete(this.bootId);
    this.boots.set(this.bootId, current);
    for (const boot of this.boots.values()) this.onDisk += boot.disk.size;
    this.readOffset = 0;
    return skipped;
  }

  private async load(): Promise<ReadBack> {
    if (this.onDisk === 0) return { loaded: 0, lost: 0 };
    let loaded = 0;
    let lost = 0;
    let full = false;
    const reader = new JournalReader(this.file, this.readOffset);
    for await (const raw of reader.lines()) {
      const line = parseLine(raw.text);
      const boot = line?.t === 'h' ? this.boots.get(line.b) : undefined;
      const seq = line ? BigInt(line.s) : 0n;
      if (line?.t === 'h' && boot?.disk.has(seq)) {
        const bytes = raw.end - raw.start;
        if (!this.hasRoom(bytes)) {
          full = true;
          break;
        }
        // Lines of one boot come in seq order: any of its seqs before this one are gone.
        lost += boot.disk.dropUpTo(seq - 1n);
        boot.disk.dropUpTo(seq);
        this.onDisk--;
        this.onDiskBytes = Math.max(0, this.onDiskBytes - bytes);
        this.keep(boot, { seq, value: line.h, bytes });
        loaded++;
      }
      this.readOffset = raw.end;
      if (this.onDisk === 0) break;
    }
    if (!full && this.onDisk > 0) {
      // The whole journal was read and some counted hits were not in it.
      for (const boot of this.boots.values()) lost += boot.disk.dropUpTo(boot.highest);
    }
    if (lost > 0) this.forgetOnDisk(lost, (this.onDiskBytes / Math.max(1, this.onDisk)) * lost);
    return { loaded, lost };
  }

  private async rewrite(): Promise<void> {
    const lines: string[] = [];
    const hits: string[] = [];
    for (const [bootId, boot] of this.boots) {
      // Keep a boot only while it has hits to send, or if it is this boot (its seqs go on).
      if (bootId !== this.bootId && boot.memory.size === 0 && boot.disk.size === 0) {
        this.boots.delete(bootId);
        continue;
      }
      // Marks first: the hits after them are then one run in send order, which the hits
      // only on disk can be copied onto without being parsed.
      lines.push(encodeLine({ t: 'm', b: bootId, s: String(boot.highest) }));
      for (const entry of boot.memory) {
        const line = encodeLine({ t: 'h', b: bootId, s: String(entry.seq), h: entry.value });
        // Sizes are (re)learnt here, so a journal read at open needs no extra encoding pass.
        this.inMemoryBytes += line.length - entry.bytes;
        entry.bytes = line.length;
        hits.push(line);
      }
    }
    const head = Buffer.from(lines.join('') + hits.join(''));
    const file = this.file;
    const tmp = `${file}.tmp`;
    const out = await fs.promises.open(tmp, 'w');
    let written = head.length;
    try {
      await out.write(head, 0, head.length, null);
      if (this.onDisk > 0) written += await this.copyOnDisk(out);
      await out.sync();
    } finally {
      await out.close();
    }
    await this.handle?.close();
    this.handle = undefined;
    // rename is atomic: a crash leaves either the old journal or the new one, never half.
    await fs.promises.rename(tmp, file);
    const dir = await fs.promises.open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    this.handle = await fs.promises.open(file, 'a');
    this.readOffset = head.length;
    this.onDiskBytes = written - head.length;
    this.fileBytes = written;
    this.liveBytes = written;
  }

  /** Copies the lines of the hits only on disk, boot by boot in seq order; returns the bytes written. */
  private async copyOnDisk(out: fs.promises.FileHandle): Promise<number> {
    let written = 0;
    let pending: string[] = [];
    let pendingBytes = 0;
    const drain = async (): Promise<void> => {
      const buf = Buffer.from(pending.join(''));
      await out.write(buf, 0, buf.length, null);
      written += buf.length;
      pending = [];
      pendingBytes = 0;
    };
    for (const [bootId, boot] of this.boots) {
      if (boot.disk.size === 0) continue;
      let last = 0n;
      for await (const raw of new JournalReader(this.file, this.readOffset).lines()) {
        // Cheap filter before the parse: most lines of another boot are skipped unread.
        if (!raw.text.includes(bootId)) continue;
        const line = parseLine(raw.text);
        if (line?.t !== 'h' || line.b !== bootId) continue;
        const seq = BigInt(line.s);
        if (seq <= last || !boot.disk.has(seq)) continue;
        last = seq;
        pending.push(`${raw.text}\n`);
        pendingBytes += raw.end - raw.start;
        if (pendingBytes >= COPY_FLUSH_BYTES) await drain();
      }
    }
    if (pending.length > 0) await drain();
    return written;
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.chain.then(work);
    this.chain = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async write(text: string, sync: boolean): Promise<void> {
    if (!this.handle) throw new Error('spool is closed');
    const buf = Buffer.from(text);
    await this.handle.write(buf, 0, buf.length, null);
    this.fileBytes += buf.length;
    if (sync) await this.handle.datasync();
  }
}
