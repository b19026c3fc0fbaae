import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { HitView, WatchDetailView, WatchView } from '@physwatch/core';
import { formatNs } from './bracket';
import { describeHit, hitLine, hitsTable } from './hit-table';
import { hostLabelsTable, hostsTable } from './host-table';
import { formatOutput } from './output-format';
import { renderTable } from './table';
import { describeWatch, watchesTable } from './watch-table';

const WATCH: WatchView = {
  id: '12', state: 'active', created_at: '2026-11-26T10:00:00.000Z', ended_at: null, name: 'zero page',
  target: { symbol: 'empty_zero_page' }, width: 1, len: 1, condition: 'equals', value: '0x33', interval: '30ms',
  action: 'hang', hosts: { selector: 'rack=r12' }, counts: { pending: 1, armed: 2, failed: 0, disarmed: 0 },
};
const DETAIL: WatchDetailView = {
  ...WATCH,
  assignments: [
    { host_id: 'h1', phase: 'armed', resolved_paddr: '0x2a0e000', memory_kind: 'ram', reason: '', updated_at: 't1' },
    { host_id: 'host-22', phase: 'failed', resolved_paddr: null, memory_kind: null, reason: 'symbol not found', updated_at: 't2' },
  ],
};
const HIT: HitView = {
  id: '7', host_id: 'h1', boot_id: 'b1', seq: '3', module_seq: null, source: 'agent', watch_id: '12', occurred_at: '2026-11-26T10:00:01.000Z',
  realtime_ns: '1795687201000000000', boottime_ns: '5000000000', last_old_boottime_ns: '4970187655', bracket_ns: '29812345', cpu: 2, paddr: '0x2a0e000', offset: 0, width: 1, old_value: '0x0', new_value: '0x33',
  pid: 0, comm: 'swapper/2', ip: 'do_idle+0x1c', stack: [], action: 'report', writer: null, writer_reason: null, smi_count: null, received_at: '2026-11-26T10:00:01.100Z',
};
const CPU_HIT: HitView = {
  ...HIT, id: '8', cpu: 1, pid: 3225, comm: 'sh', ip: 'pw_chain_writer_store+0x1a/0x40 [pw_chain_writer]', writer: 'cpu', smi_count: '2',
  stack: ['pw_chain_writer_store+0x1a/0x40[pw_chain_writer]', 'vfs_write+0x2b4/0x3e0'],
};

describe('output', () => {
  it('aligns columns to the widest cell, without trailing spaces', () => {
    expect(renderTable(['A', 'LONG HEADER', 'C'], [['wide cell', 'x', ''], ['y', 'z', 'end']])).toBe(
      'A           LONG HEADER   C\n' + 'wide cell   x\n' + 'y           z             end\n',
    );
  });

  it('prints json and yaml whole, and only builds the table for table', () => {
    const data = { id: '1', nested: { v: '0x33' } };
    const table = () => {
      throw new Error('not for json or yaml');
    };
    expect(JSON.parse(formatOutput('json', data, table))).toEqual(data);
    expect(parseYaml(formatOutput('yaml', data, table))).toEqual(data);
    expect(formatOutput('table', data, () => 'T\n')).toBe('T\n');
  });

  it('shows a watch as one row with its selection and counts', () => {
    const [header, row] = watchesTable([WATCH]).split('\n');
    expect(header.split(/\s{2,}/)).toEqual(['ID', 'NAME', 'STATE', 'TARGET', 'WIDTH', 'CONDITION', 'INTERVAL', 'ACTION', 'HOSTS', 'ARMED', 'PENDING', 'FAILED', 'CREATED']);
    expect(row.split(/\s{2,}/)).toEqual(['12', 'zero page', 'active', 'empty_zero_page', '1', 'equals 0x33', '30ms', 'hang', 'rack=r12', '2', '1', '0', '2026-11-26T10:00:00.000Z']);
    const region = { ...WATCH, target: { paddr: '0x1000' }, width: 4, len: 64, condition: 'mask_equals' as const, value: '0x30', mask: '0xf0', hosts: { ids: ['a', 'b'] } };
    expect(watchesTable([region])).toMatch(/0x1000 \(len 64\)\s+4\s+mask_equals 0x30\/0xf0\s+30ms\s+hang\s+a,b/);
  });

  it('describes a watch with every host, its phase and reason', () => {
    const text = describeWatch(DETAIL);
    expect(text).toMatch(/^Watch:\s+12 \(zero page\)$/m);
    expect(text).toMatch(/^Hosts:\s+armed 2, pending 1, failed 0, disarmed 0$/m);
    expect(text).toMatch(/^h1\s+armed\s+0x2a0e000\s+ram\s+t1\s+-$/m);
    expect(text).toMatch(/^host-22\s+failed\s+-\s+-\s+t2\s+symbol not found$/m);
    expect(describeWatch({ ...DETAIL, assignments: [] })).toContain('(no host assigned)');
  });

  it('shows hosts with labels as a selector would spell them', () => {
    const table = hostsTable([
      {
        id: 'h1', hostname: 'node1', boot_id: 'b1', kernel_release: '6.1', arch: 'arm64', agent_version: '0.1.0', labels: { rack: 'r12', bios: '2.1' },
        host_labels: { rack: 'r12', bios: '2.1' }, operator_labels: {}, capabilities: {}, kdump: null,
        online: false, connected: false, first_seen_at: 't0', last_seen_at: 't', desired_generation: '1', applied_generation: '1', watches: [],
      },
    ]);
    expect(table.split('\n')[1].split(/\s{2,}/)).toEqual(['h1', 'node1', 'no', 'arm64', '6.1', '0.1.0', '0', 't', 'bios=2.1,rack=r12']);
  });

  it('marks each label with its source, an overridden host value included', () => {
    const rows = hostLabelsTable({ host_labels: { rack: 'r1', cpu: 'x' }, operator_labels: { rack: 'r9', env: 'prod' } }).trimEnd().split('\n').map((l) => l.split(/\s{2,}/));
    expect(rows).toEqual([
      ['LABEL', 'VALUE', 'SOURCE'],
      ['cpu', 'x', 'host'],
      ['env', 'prod', 'operator'],
      ['rack', 'r9', 'operator'],
      ['rack', 'r1', 'host (overridden)'],
    ]);
    expect(hostLabelsTable({ host_labels: {}, operator_labels: {} })).toBe('No labels.\n');
  });

  it('shows hits as a table, and one labelled line each when tailing', () => {
    expect(hitsTable([HIT]).split('\n')[1].split(/\s{2,}/)).toEqual(['7', '2026-11-26T10:00:01.000Z', 'h1', '12', '3', '0x2a0e000', '0x0', '0x33', '29.8ms', '-', '2', 'swapper/2[0]', 'report']);
    expect(hitLine(HIT)).toBe('2026-11-26T10:00:01.000Z  host h1  watch 12  seq 3  0x2a0e000: 0x0 -> 0x33  bracket 29.8ms  writer -  cpu 2  swapper/2[0]  report\n');
    // a module older than last_old_ns=: no bracket known
    expect(hitLine({ ...HIT, last_old_boottime_ns: null, bracket_ns: null })).toContain('0x33  bracket -  writer -  cpu 2');
    // recovered from a crash dump: no agent seq, the module's number instead
    const recovered = { ...HIT, seq: null, module_seq: '41', source: 'vmcore' as const, action: 'panic' };
    expect(hitsTable([recovered]).split('\n')[1].split(/\s{2,}/)[4]).toBe('vmcore#41');
  });

  it('shows who wrote in the WRITER column, with the reason when it is unknown', () => {
    const writers = [CPU_HIT, { ...HIT, writer: 'no_cpu_via_kernel_map' as const }, { ...HIT, writer: 'unknown' as const, writer_reason: 'no_slot' }, HIT];
    expect(hitsTable(writers).trimEnd().split('\n').map((line) => line.split(/\s{2,}/)[9])).toEqual(['WRITER', 'cpu', 'no_cpu_via_kernel_map', 'unknown (no_slot)', '-']);
    expect(hitLine(CPU_HIT)).toContain('bracket 29.8ms  writer cpu  cpu 1  sh[3225]  report');
  });

  it('describes a hit in full: the writer and what it means, the SMIs, the stack a frame a line', () => {
    const text = describeHit(CPU_HIT);
    expect(text).toContain('Writer:   cpu: a CPU wrote it through the kernel map (a breakpoint fired in the bracket)\n');
    expect(text).toContain('SMIs:     2 in the bracket\n');
    expect(text).toContain('CPU:      1 (the writer)\nTask:     sh[3225] (the writer)\nIP:       pw_chain_writer_store+0x1a/0x40 [pw_chain_writer]\n');
    expect(text.endsWith('Stack:\n  pw_chain_writer_store+0x1a/0x40[pw_chain_writer]\n  vfs_write+0x2b4/0x3e0\n')).toBe(true);
    const unknown = describeHit({ ...HIT, writer: 'unknown', writer_reason: 'region_too_wide' });
    expect(unknown).toContain('Writer:   unknown: no breakpoint could watch the word (region_too_wide)\n');
    expect(unknown).toContain('CPU:      2 (interrupted)\n');
    const notSaid = describeHit(HIT);
    expect(notSaid).toContain('Writer:   - (the backend did not say)\n');
    expect(notSaid).toContain('SMIs:     - (not known)\n');
    expect(notSaid.endsWith('Stack:\n(no stack captured)\n')).toBe(true);
    expect(describeHit({ ...HIT, writer: 'no_cpu_via_kernel_map', smi_count: '0' })).toContain('SMIs:     0 in the bracket\n');
  });

  it('shows a bracket in three significant digits of the largest unit it reaches, and json the exact ns', () => {
    expect([850n, 1_000n, 99_950n, 100_000n, 29_812_345n, 1_500_000_000n, 3_600_000_000_000n].map(formatNs)).toEqual(['850ns', '1us', '100us', '100us', '29.8ms', '1.5s', '3600s']);
    expect(JSON.parse(formatOutput('json', [HIT], () => hitsTable([HIT])))[0]).toMatchObject({ last_old_boottime_ns: '4970187655', bracket_ns: '29812345' });
  });
});
