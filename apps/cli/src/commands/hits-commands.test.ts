import type { HitView } from '@physwatch/core';
import { describe, expect, it } from 'vitest';
import { run } from '../program';
import { recordingIo, scriptedServers } from '../test-support';

const server = scriptedServers();

const HIT: HitView = {
  id: '8', host_id: 'h1', boot_id: 'b1', seq: '4', module_seq: '44', source: 'agent', watch_id: '12', occurred_at: '2026-11-26T10:00:01.000Z',
  realtime_ns: '1795687201000000000', boottime_ns: '5000000000', last_old_boottime_ns: '4999000000', bracket_ns: '1000000', cpu: 1, paddr: '0x20000100', offset: 0, width: 4,
  old_value: '0x1', new_value: '0x2', pid: 3225, comm: 'sh', ip: 'pw_chain_writer_store+0x1a/0x40 [pw_chain_writer]', action: 'report',
  stack: ['pw_chain_writer_store+0x1a/0x40[pw_chain_writer]', 'kernfs_fop_write_iter+0x11d/0x1c0', 'vfs_write+0x2b4/0x3e0'],
  writer: 'cpu', writer_reason: null, smi_count: '0', received_at: '2026-11-26T10:00:01.100Z',
};

describe('physwatch hits and the writer', () => {
  it('hits list --writer asks the server for that writer and shows the WRITER column', async () => {
    const s = await server(() => ({ status: 200, body: { items: [HIT], next_cursor: null } }));
    const io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['hits', 'list', '--writer', 'cpu', '--watch', '12'], io)).toBe(0);
    expect(new URL(s.seen[0].url, s.url).searchParams.get('writer')).toBe('cpu');
    const [header, row] = io.stdout.split('\n').map((line) => line.split(/\s{2,}/));
    expect(row[header.indexOf('WRITER')]).toBe('cpu');
  });

  it('says which writer the server refused, as the flag', async () => {
    const s = await server(() => ({ status: 400, body: { error: 'invalid_query', message: 'm', errors: [{ field: 'writer', reason: '"dma" is not one of cpu, no_cpu_via_kernel_map, unknown' }] } }));
    const io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['hits', 'list', '--writer', 'dma'], io)).toBe(2);
    expect(io.stderr).toContain('"dma" is not one of cpu, no_cpu_via_kernel_map, unknown');
  });

  it('hits describe prints the writer, the SMIs and every stack frame; -o json keeps the API\'s fields', async () => {
    const s = await server((req) => (req.url === '/api/v1/hits/8' ? { status: 200, body: HIT } : { status: 404, body: { error: 'not_found', message: `hit ${req.url.split('/').pop()} does not exist` } }));
    let io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['hits', 'describe', '8'], io)).toBe(0);
    expect(io.stdout).toContain('Writer:   cpu: a CPU wrote it through the kernel map');
    expect(io.stdout).toContain('SMIs:     0 in the bracket');
    expect(io.stdout).toContain('Stack:\n  pw_chain_writer_store+0x1a/0x40[pw_chain_writer]\n  kernfs_fop_write_iter+0x11d/0x1c0\n  vfs_write+0x2b4/0x3e0\n');
    io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['hits', 'describe', '8', '-o', 'json'], io)).toBe(0);
    expect(JSON.parse(io.stdout)).toMatchObject({ writer: 'cpu', smi_count: '0', stack: HIT.stack });
    io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['hits', 'describe', '9'], io)).toBe(1);
    expect(io.stderr).toContain('hit 9 does not exist');
  });

  it('hits describe refuses an id that is not one without asking the server', async () => {
    const s = await server(() => ({ status: 500, body: {} }));
    const io = recordingIo({ PHYSWATCH_SERVER: s.url });
    expect(await run(['hits', 'describe', 'latest'], io)).toBe(2);
    expect(io.stderr).toContain('<id>: "latest" is not a hit id');
    expect(s.seen).toEqual([]);
  });
});
