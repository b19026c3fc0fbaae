/**
 * The on-disk spool (stateDir/spool/journal.jsonl): every hit is numbered and fsync'd here
 * before it may be sent, and leaves only when the orchestrator acks it. Sequence numbers
 * are per boot and continue across restarts, even after kill -9.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Hit } from '@physwatch/proto';
import { encodeLine, readJournal } from './journal-format';
import { SeqQueue } from './seq-queue';

export interface SpoolOptions {
  /** Rewrite the journal once it is larger than this and at least half of it is dead. */
  compactAtBytes?: number;
}

export interface SpooledBatch {
  bootId: string;
  /** In seq order, each with its `seq` set. */
  hits: Hit[];
}

interface Boot {
  highest: bigint;
  pending: SeqQueue<Hit>;
}

const JOURNAL = 'journal.jsonl';

export class Spool {
  private readonly boots = new Map<string, Boot>();
  private handle: fs.promises.FileHandle | undefined;
  private fileBytes = 0;
  private liveBytes = 0;
  // One writer at a time: appends, ack lines and compaction are queued behind each other.
  private chain: Promise<void> = Promise.resolve();
  private readonly compactAtBytes: number;

  private constructor(
    readonly dir: string,
    readonly bootId: string,
    options: SpoolOptions,
  ) {
    this.compactAtBytes = options.compactAtBytes ?? 1024 * 1024;
  }

  /** Opens (or creates) the spool; a journal left by a crashed agent is recovered as is. */
  static async open(dir: string, bootId: string, options: SpoolOptions = {}): Promise<{ spool: Spool; skippedLines: number }> {
    await fs.promises.mkdir(dir, { recursive: true });
    await fs.promises.rm(path.join(dir, `${JOURNAL}.tmp`), { force: true });
    let text = '';
    try {
      text = await fs.promises.readFile(path.join(dir, JOURNAL), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const { boots, skipped } = readJournal(text);
    const spool = new Spool(dir, bootId, options);
    for (const [id, log] of boots) {
      const pending = new SeqQueue<Hit>();
      for (const [seq, hit] of log.pending) pending.push({ seq, value: hit, bytes: 0 });
      spool.boots.set(id, { highest: log.highest, pending });
    }
    spool.boot(bootId);
    // Rewriting at once drops a torn tail, so later appends start on a clean line.
    await spool.compact();
    return { spool, skippedLines: skipped };
  }

  /** The seq the next appended hit of this boot will get. */
  nextSeq(): bigint {
    return this.boot(this.bootId).highest + 1n;
  }

  unackedCount(): number {
    let count = 0;
    for (const boot of this.boots.values()) count += boot.pending.size;
    return count;
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
      await this.write(lines.join(''), true);
      numbered.forEach((hit, i) => {
        boot.pending.push({ seq: BigInt(hit.seq), value: hit, bytes: lines[i].length });
        this.liveBytes += lines[i].length;
      });
      return numbered;
    });
  }

  /** Earlier boots that still hold unacked hits: announced in Hello, so those hits may be stored. */
  earlierBoots(): string[] {
    return [...this.boots].filter(([id, boot]) => id !== this.bootId && boot.pending.size > 0).map(([id]) => id);
  }

  /** The unacked hit of `bootId` numbered `seq`, if the spool still holds it. */
  find(bootId: string, seq: bigint): Hit | undefined {
    const [entry] = this.boots.get(bootId)?.pending.after(seq - 1n, 1) ?? [];
    return entry?.seq === seq ? entry.value : undefined;
  }

  /** Drops every hit of `bootId` with seq <= upTo. Returns how many were dropped. */
  ack(bootId: string, upTo: bigint): number {
    const boot = this.boots.get(bootId);
    if (!boot) return 0;
    const dropped = boot.pending.dropUpTo(upTo);
    if (dropped.length === 0) return 0;
    for (const entry of dropped) this.liveBytes -= entry.bytes;
    // Not fsync'd: losing an ack line only means a re-send, which the server dedupes.
    void this.enqueue(async () => {
      await this.write(encodeLine({ t: 'a', b: bootId, s: String(upTo) }), false);
      if (this.fileBytes > this.compactAtBytes && this.fileBytes > 2 * this.liveBytes) await this.rewrite();
    }).catch(() => undefined);
    return dropped.length;
  }

  /** The oldest durable hits not yet sent on this stream, at most `max`, all from one boot. */
  unsent(sentUpTo: ReadonlyMap<string, bigint>, max: number): SpooledBatch | null {
    for (const [bootId, boot] of this.boots) {
      const entries = boot.pending.after(sentUpTo.get(bootId) ?? 0n, max);
      if (entries.length > 0) return { bootId, hits: entries.map((e) => e.value) };
    }
    return null;
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

  private boot(bootId: string): Boot {
    let boot = this.boots.get(bootId);
    if (!boot) {
      boot = { highest: 0n, pending: new SeqQueue<Hit>() };
      this.boots.set(bootId, boot);
    }
    return boot;
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

  private async rewrite(): Promise<void> {
    const lines: string[] = [];
    for (const [bootId, boot] of this.boots) {
      // Keep a boot only while it has hits to send, or if it is this boot (its seqs go on).
      if (bootId !== this.bootId && boot.pending.size === 0) {
        this.boots.delete(bootId);
        continue;
      }
      lines.push(encodeLine({ t: 'm', b: bootId, s: String(boot.highest) }));
      for (const entry of boot.pending) {
        const line = encodeLine({ t: 'h', b: bootId, s: String(entry.seq), h: entry.value });
        // Sizes are (re)learnt here, so a journal read at open needs no extra encoding pass.
        entry.bytes = line.length;
        lines.push(line);
      }
    }
    const text = lines.join('');
    const file = path.join(this.dir, JOURNAL);
    const tmp = `${file}.tmp`;
    const out = await fs.promises.open(tmp, 'w');
    try {
      await out.writeFile(text);
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
    this.fileBytes = Buffer.byteLength(text);
    this.liveBytes = this.fileBytes;
  }
}
