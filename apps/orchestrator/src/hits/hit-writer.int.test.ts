// Who wrote, the SMIs in the bracket and the stack (issue 13): from a live batch and from a
// vmcore's recovered hits, over real gRPC, to the hits table and back over REST exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hit } from '@physwatch/proto';
import { TestAgent, wireHit } from '../test-support/agent-client';
import { startTestOrchestrator, TestOrchestrator } from '../test-support/test-orchestrator';

let orch: TestOrchestrator;
let agent: TestAgent;
let watchId: string;

const STACK = ['pw_chain_writer_store+0x1a/0x40[pw_chain_writer]', 'kernfs_fop_write_iter+0x11d/0x1c0', 'vfs_write+0x2b4/0x3e0', '0xffffffffc0a1b2c3'];
const frames = (n: number) => Array.from({ length: n }, (_, i) => `f${i}+0x0/0x10`).join('\n');

beforeAll(async () => {
  orch = await startTestOrchestrator({ SCHEDULER_TICK_MS: '3600000' });
  agent = new TestAgent(orch.grpcAddress);
  agent.hello('writer-1');
  await agent.nextDesired();
  const created = await orch.http('POST', '/api/v1/watches', { target: { paddr: '0x2a0e000' }, width: 4, condition: 'any_change', interval: '1ms', hosts: { ids: ['writer-1'] } });
  expect(created.status).toBe(201);
  watchId = created.body.id;
  await agent.next((m) => m.desired_state?.watches.some((w) => w.watch_id === watchId) === true);
});

afterAll(async () => {
  agent?.close();
  await orch?.close();
});

async function hitsOf(query: string): Promise<any[]> {
  const { status, body } = await orch.http('GET', `/api/v1/hits?watch_id=${watchId}&${query}`);
  expect(status).toBe(200);
  return body.items;
}

describe('a hit says who wrote', () => {
  it('stores writer, reason, SMI count and stack, reads them back exactly, and refuses a hostile hit alone, naming the field', async () => {
    const batch = {
      boot_id: 'boot-1',
      hits: [
        wireHit(1, watchId, { writer: 'WRITER_CPU', smi_count: '2', stack: STACK.join('\n'), pid: 3225, comm: 'sh', ip: 'pw_chain_writer_store+0x1a/0x40 [pw_chain_writer]' }),
        wireHit(2, watchId, { writer: 'WRITER_CPU', stack: frames(65) }),
        wireHit(3, watchId, { writer: 'WRITER_UNKNOWN', writer_reason: 'no slot; drop table hits' }),
        wireHit(4, watchId, { writer: 'WRITER_UNKNOWN', writer_reason: 'no_slot', smi_count: '-1' }),
        wireHit(5, watchId, { writer: 'WRITER_NO_CPU_VIA_KERNEL_MAP', smi_count: '0' }),
        wireHit(6, watchId, { writer: 'WRITER_CPU', writer_reason: 'no_slot' }),
        wireHit(7, watchId, { smi_count: '-2', writer: 'WRITER_CPU' }),
        // A writer number the proto does not name, as a newer (or hostile) agent could send.
        wireHit(8, watchId, { writer: 9 as unknown as Hit['writer'] }),
      ],
    };
    agent.send({ hit_batch: batch });
    const ack = await agent.nextAck();
    expect(ack.up_to_seq).toBe('8');
    expect(ack.rejected).toEqual([
      { seq: '2', reason: 'hits[1].stack: 65 lines, more than 64' },
      { seq: '3', reason: 'hits[2].writer_reason: "no slot; drop table hits" is not a reason (one token of 1-32 a-z 0-9 _; error_ with a positive errno)' },
      { seq: '6', reason: 'hits[5].writer_reason: a reason is only for WRITER_UNKNOWN, not WRITER_CPU' },
      { seq: '7', reason: 'hits[6].smi_count: -2 is out of range for a count or -1 (-1 to 9223372036854775807)' },
      { seq: '8', reason: 'hits[7].writer: "9" is not a writer (WRITER_UNSPECIFIED, WRITER_CPU, WRITER_NO_CPU_VIA_KERNEL_MAP, WRITER_UNKNOWN)' },
    ]);

    const items = await hitsOf('limit=100');
    const bySeq = new Map(items.map((h) => [h.seq, h]));
    expect([...bySeq.keys()].sort()).toEqual(['1', '4', '5']);
    expect(bySeq.get('1')).toMatchObject({
      writer: 'cpu', writer_reason: null, smi_count: '2', stack: STACK, pid: 3225, comm: 'sh', ip: 'pw_chain_writer_store+0x1a/0x40 [pw_chain_writer]', source: 'agent',
    });
    expect(bySeq.get('4')).toMatchObject({ writer: 'unknown', writer_reason: 'no_slot', smi_count: null, stack: [] });
    expect(bySeq.get('5')).toMatchObject({ writer: 'no_cpu_via_kernel_map', writer_reason: null, smi_count: '0', stack: [] });
    // One hit by id: the same record as in the list.
    expect(await orch.http('GET', `/api/v1/hits/${bySeq.get('1').id}`)).toEqual({ status: 200, body: bySeq.get('1') });
    expect(await orch.http('GET', '/api/v1/hits/999999999')).toMatchObject({ status: 404, body: { error: 'not_found', message: 'hit 999999999 does not exist' } });
  });

  it('lists hits by writer, and names the parameter of a writer there is not', async () => {
    expect((await hitsOf('writer=cpu')).map((h) => h.seq)).toEqual(['1']);
    expect((await hitsOf('writer=unknown')).map((h) => h.seq)).toEqual(['4']);
    const bad = await orch.http('GET', `/api/v1/hits?writer=dma`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'invalid_query', errors: [{ field: 'writer', reason: '"dma" is not one of cpu, no_cpu_via_kernel_map, unknown' }] });
  });

  it('stores them for hits recovered from a vmcore\'s dmesg too', async () => {
    const recovered = (moduleSeq: number, over: Partial<Hit>): Hit => ({ ...wireHit(0, watchId), seq: '0', module_seq: String(moduleSeq), action: 'ACTION_PANIC', ...over });
    agent.send({
      vmcore_report: {
        path: '/var/crash/writer-1/vmcore', layout: 'debian', format: 'elf', size_bytes: '4096', sha256: 'cd'.repeat(32), dump_level: 31,
        crash_time_unix_ms: String(Date.now()), kernel_release: '6.1.0', dmesg_path: '', dmesg_excerpt: '', crashed_boot_id: 'boot-1', crash_request_id: '',
        recovered_hits: [
          recovered(17, { writer: 'WRITER_CPU', smi_count: '0', stack: STACK.slice(1).join('\n') }),
          recovered(18, { writer: 'WRITER_UNKNOWN', writer_reason: 'error_16', smi_count: '-1' }),
          recovered(19, { writer: 'WRITER_UNKNOWN', writer_reason: 'Error 16' }),
        ],
      },
    });
    await agent.next((m) => m.msg === 'vmcore_ack');
    const fromDump = (await hitsOf('limit=100')).filter((h) => h.source === 'vmcore');
    expect(fromDump.map((h) => [h.module_seq, h.writer, h.writer_reason, h.smi_count, h.stack])).toEqual([
      ['18', 'unknown', 'error_16', null, []],
      ['17', 'cpu', null, '0', STACK.slice(1)],
    ]);
  });
});
