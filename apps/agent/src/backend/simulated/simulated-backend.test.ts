import * as path from 'node:path';
import * as fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArmSpec } from '@physwatch/core';
import { armSpec, removeTempDirs, tempDir, testLog } from '../../test-support/fixtures';
import type { BackendEvent, BackendHit } from '../watch-backend';
import { corruptMemoryFile } from './memory-file';
import { SimulatedBackend } from './simulated-backend';

const MEMORY_SIZE = 64 * 1024;

describe('simulated backend over a real memory file', () => {
  let memoryFile: string;
  let backend: SimulatedBackend;
  let events: BackendEvent[];
  let waiters: Array<() => void>;

  beforeEach(async () => {
    memoryFile = path.join(tempDir(), 'sim-memory');
    backend = await SimulatedBackend.open(
      { kind: 'simulated', memoryFile, memorySize: MEMORY_SIZE, symbols: { empty_zero_page: 0x2000n }, corruption: [], physAddrBits: 0 },
      testLog,
    );
    events = [];
    waiters = [];
    backend.onEvent((e) => {
      events.push(e);
      waiters.forEach((w) => w());
    });
  });

  afterEach(async () => {
    await backend.close();
    removeTempDirs();
  });

  /** Waits (no timing assertions) until `count` events matching `filter` have arrived. */
  async function eventsWhere<T extends BackendEvent>(filter: (e: BackendEvent) => e is T, count: number): Promise<T[]> {
    const deadline = Date.now() + 10_000;
    while (events.filter(filter).length < count) {
      if (Date.now() > deadline) throw new Error(`waited for ${count} events, have ${JSON.stringify(events, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
      await new Promise<void>((resolve) => {
        // Not a pause: an event wakes this at once; the 50 ms only re-checks the deadline.
        const t = setTimeout(resolve, 50);
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return events.filter(filter);
  }

  const isHit = (e: BackendEvent): e is { kind: 'hit'; hit: BackendHit } => e.kind === 'hit';
  const hits = async (count: number): Promise<BackendHit[]> => (await eventsWhere(isHit, count)).map((e) => e.hit);

  async function armed(spec: ArmSpec): Promise<void> {
    const result = await backend.arm(spec);
    expect(result).toMatchObject({ phase: 'armed', memoryKind: 'ram' });
  }

  it('creates the memory file sparse with memorySize bytes', () => {
    expect(fs.statSync(memoryFile).size).toBe(MEMORY_SIZE);
  });

  it('equals fires when the word changes to the value, and only then', async () => {
    await armed(armSpec({ condition: 'equals', value: 0x33n }));
    await corruptMemoryFile(memoryFile, 0x1000n, 1, 0x34n); // a change, but not to 0x33
    await corruptMemoryFile(memoryFile, 0x1000n, 1, 0x33n);
    const [hit] = await hits(1);
    expect(hit).toMatchObject({ watchId: '1', paddr: 0x1000n, offset: 0, width: 1, newValue: 0x33n, cpu: 0, ip: 'simulated', pid: process.pid });
    expect([0x0n, 0x34n]).toContain(hit.oldValue);
  });

  it('changes_from fires when the word leaves the value', async () => {
    await corruptMemoryFile(memoryFile, 0x1000n, 2, 0xbeefn);
    await armed(armSpec({ width: 2, len: 2, condition: 'changes_from', value: 0xbeefn, mask: 0xffffn }));
    await corruptMemoryFile(memoryFile, 0x1000n, 2, 0x0n);
    const [hit] = await hits(1);
    expect(hit).toMatchObject({ oldValue: 0xbeefn, newValue: 0x0n, width: 2 });
  });

  it('mask_equals looks only at the masked bits', async () => {
    await armed(armSpec({ width: 4, len: 4, condition: 'mask_equals', value: 0x30n, mask: 0xf0n }));
    await corruptMemoryFile(memoryFile, 0x1000n, 4, 0x1_0000_0001n & 0xffff_ffffn); // masked bits still 0
    await corruptMemoryFile(memoryFile, 0x1000n, 4, 0xdead_0035n);
    const found = await hits(1);
    expect(found[found.length - 1]).toMatchObject({ newValue: 0xdead_0035n, width: 4 });
  });

  it.each([1, 2, 4, 8] as const)('any_change on width %i reads little-endian words', async (width) => {
    const value = width === 8 ? 0x0102_0304_0506_0708n : (1n << BigInt(width * 8)) - 2n;
    await armed(armSpec({ width, len: width, target: { kind: 'paddr', paddr: 0x1008n } }));
    await corruptMemoryFile(memoryFile, 0x1008n, width, value);
    const [hit] = await hits(1);
    expect(hit).toMatchObject({ paddr: 0x1008n, width, oldValue: 0n, newValue: value });
    // The byte at the lowest address is the least significant one.
    expect(fs.readFileSync(memoryFile).readUInt8(0x1008)).toBe(Number(value & 0xffn));
  });

  it('a region watch reports the offset and address of each changed word', async () => {
    await armed(armSpec({ width: 4, len: 64, target: { kind: 'paddr', paddr: 0x3000n } }));
    await corruptMemoryFile(memoryFile, 0x3004n, 4, 0x11n);
    await corruptMemoryFile(memoryFile, 0x3038n, 4, 0x22n);
    const found = await hits(2);
    expect(found.map((h) => [h.offset, h.paddr, h.newValue]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [4, 0x3004n, 0x11n],
      [56, 0x3038n, 0x22n],
    ]);
  });

  it('resolves a symbol target through the symbol table', async () => {
    const result = await backend.arm(armSpec({ width: 8, len: 8, target: { kind: 'symbol', name: 'empty_zero_page', offset: 0x10n } }));
    expect(result).toEqual({ phase: 'armed', resolvedPaddr: 0x2010n, memoryKind: 'ram' });
    await corruptMemoryFile(memoryFile, 0x2010n, 8, 0x33n);
    expect((await hits(1))[0]).toMatchObject({ paddr: 0x2010n, offset: 0, newValue: 0x33n });
  });

  it.each([
    ['an unknown symbol', armSpec({ target: { kind: 'symbol', name: 'no_such_symbol', offset: 0n } }), 'symbol "no_such_symbol" not found'],
    ['an address beyond memorySize', armSpec({ target: { kind: 'paddr', paddr: 0x10000n } }), '0x10000 + 1 bytes is beyond simulated memory (memorySize 0x10000)'],
    ['a region running past the end', armSpec({ width: 8, len: 16, target: { kind: 'paddr', paddr: 0xfff8n } }), 'beyond simulated memory'],
    ['a misaligned address', armSpec({ width: 4, len: 4, target: { kind: 'paddr', paddr: 0x1002n } }), '0x1002 is not aligned to width 4'],
    ['a misaligned symbol offset', armSpec({ width: 8, len: 8, target: { kind: 'symbol', name: 'empty_zero_page', offset: 0x4n } }), 'empty_zero_page+0x4 (0x2004) is not aligned to width 8'],
    ['an action it cannot do', armSpec({ action: 'panic' }), 'action panic is not possible on the simulated backend'],
    ['an ftrace watch', armSpec({ mode: 'ftrace', funcs: ['memset'], intervalUs: 0 }), 'mode ftrace: the simulated backend has no function-entry checks'],
    ['a both-mode watch', armSpec({ mode: 'both', funcs: ['memset'] }), 'mode both: the simulated backend has no function-entry checks'],
    ['a PCI BAR target', armSpec({ target: { kind: 'pci_bar', device: '0000:00:04.0', bar: 2, offset: 0n } }), 'pci_bar 0000:00:04.0/2: the simulated backend has no PCI devices'],
    ['a sentinel target', armSpec({ target: { kind: 'sentinel', pages: 2, pattern: 0x5an }, len: 8192 }), 'sentinel=2: the simulated backend allocates no sentinel pages'],
  ])('fails %s with the reason', async (_what, spec, reason) => {
    const result = await backend.arm(spec);
    expect(result.phase).toBe('failed');
    expect(result.phase === 'failed' && result.reason).toContain(reason);
    expect(backend.armed()).toEqual([]);
  });

  it('disarms itself after max_hits and says so', async () => {
    await armed(armSpec({ maxHits: 2 }));
    // A second watch at the same interval: its hits show the backend kept polling.
    await armed(armSpec({ watchId: 'marker', target: { kind: 'paddr', paddr: 0x1800n } }));
    await corruptMemoryFile(memoryFile, 0x1000n, 1, 1n);
    await hits(1);
    await corruptMemoryFile(memoryFile, 0x1000n, 1, 2n);
    const [disarmed] = await eventsWhere((e): e is Extract<BackendEvent, { kind: 'disarmed' }> => e.kind === 'disarmed', 1);
    expect(disarmed).toEqual({ kind: 'disarmed', watchId: '1', reason: 'max_hits 2 reached' });
    await corruptMemoryFile(memoryFile, 0x1000n, 1, 3n);
    // Two marker hits after that write: at least one more polling interval went by.
    for (const value of [1n, 2n]) {
      await corruptMemoryFile(memoryFile, 0x1800n, 1, value);
      await hits(2 + Number(value));
    }
    expect(events.filter(isHit).map((e) => [e.hit.watchId, e.hit.newValue])).toEqual([['1', 1n], ['1', 2n], ['marker', 1n], ['marker', 2n]]);
    expect(backend.armed().map((w) => w.spec.watchId)).toEqual(['marker']);
  });

  it('lists armed watches and forgets disarmed ones', async () => {
    await armed(armSpec({ watchId: '7' }));
    expect(backend.armed().map((w) => [w.spec.watchId, w.resolvedPaddr])).toEqual([['7', 0x1000n]]);
    await backend.disarm('7');
    expect(backend.armed()).toEqual([]);
  });

  it('reports its capabilities with a 1 ms floor on intervals, timer mode only, physical width not stated', () => {
    expect(backend.capabilities).toMatchObject({ backend: 'simulated', minIntervalUs: 1000, targetKinds: ['paddr', 'symbol'], modes: ['timer'], physAddrBits: 0 });
  });

  it('with physAddrBits set, advertises it and refuses a paddr beyond it', async () => {
    const narrow = await SimulatedBackend.open(
      { kind: 'simulated', memoryFile: path.join(tempDir(), 'narrow'), memorySize: MEMORY_SIZE, symbols: {}, corruption: [], physAddrBits: 12 },
      testLog,
    );
    try {
      expect(narrow.capabilities.physAddrBits).toBe(12);
      expect(await narrow.arm(armSpec({ target: { kind: 'paddr', paddr: 0xffcn }, width: 4, len: 4 }))).toMatchObject({ phase: 'armed' });
      expect(await narrow.arm(armSpec({ watchId: '2', target: { kind: 'paddr', paddr: 0xffcn }, width: 4, len: 8 }))).toEqual({
        phase: 'failed',
        reason: "paddr 0xffc + len 8 is beyond this host's 12 physical address bits (the simulated backend's physAddrBits)",
      });
      expect(await narrow.arm(armSpec({ watchId: '3', target: { kind: 'paddr', paddr: 0x1000n } }))).toEqual({
        phase: 'failed',
        reason: "paddr 0x1000 is beyond this host's 12 physical address bits (the simulated backend's physAddrBits)",
      });
    } finally {
      await narrow.close();
    }
  });
});
