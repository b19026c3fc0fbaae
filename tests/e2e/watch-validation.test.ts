/**
 * Every bad watch spec is answered 400 with JSON naming the field and the reason, and
 * nothing is created. Runs against the real orchestrator process on a fresh schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { Orchestrator } from '../support/stack';

const good = {
  name: 'zero page byte',
  target: { paddr: '0x2a0e000' },
  width: 1,
  condition: 'equals',
  value: '0x33',
  interval: '30ms',
  action: 'report',
  hosts: { selector: 'rack=r12' },
};

type Case = [string, Record<string, unknown>, string, RegExp];

// [what, change to the good spec, field named, reason pattern]
const cases: Case[] = [
  ['misaligned address for the width', { width: 4, target: { paddr: '0x1002' } }, 'target.paddr', /not aligned to width 4/],
  ['address beyond 52 bits', { target: { paddr: '0x10000000000000' } }, 'target.paddr', /52-bit physical address space/],
  ['address not a number', { target: { paddr: 'zero-page' } }, 'target.paddr', /not an unsigned 64-bit number/],
  ['negative address', { target: { paddr: -4096 } }, 'target.paddr', /not an unsigned 64-bit number/],
  ['both paddr and symbol', { target: { paddr: '0x1000', symbol: 'empty_zero_page' } }, 'target', /exactly one of "paddr", "symbol", "pci_bar" or "sentinel"/],
  ['no target', { target: undefined }, 'target', /required/],
  ['bad symbol syntax', { target: { symbol: 'empty zero page' } }, 'target.symbol', /not "name" or "name\+0xoffset"/],
  ['symbol offset misaligned', { width: 8, target: { symbol: 'empty_zero_page+0x4' } }, 'target.symbol', /not a multiple of width 8/],
  ['unsupported width', { width: 3 }, 'width', /not one of 1, 2, 4, 8/],
  ['missing width', { width: undefined }, 'width', /required/],
  ['value wider than width', { value: '0x1ff' }, 'value', /wider than width 1 \(at most 0xff\)/],
  ['value missing for equals', { value: undefined }, 'value', /required for condition equals/],
  ['value given for any_change', { condition: 'any_change' }, 'value', /not used by condition any_change/],
  ['unknown condition', { condition: 'becomes' }, 'condition', /not one of equals, changes_from, any_change, mask_equals/],
  ['mask missing for mask_equals', { condition: 'mask_equals' }, 'mask', /required for condition mask_equals/],
  ['mask wider than width', { condition: 'mask_equals', mask: '0x100' }, 'mask', /wider than width 1/],
  ['value outside mask', { condition: 'mask_equals', mask: '0x0f' }, 'value', /bits outside mask 0xf/],
  ['mask with equals', { mask: '0xff' }, 'mask', /only used by condition mask_equals/],
  ['unknown interval unit', { interval: '30 fortnights' }, 'interval', /unknown unit "fortnights"/],
  ['interval below 100us', { interval: '50us' }, 'interval', /out of range: an interval is 100us to 1h/],
  ['interval above 1h', { interval: '2h' }, 'interval', /out of range/],
  ['interval without unit', { interval: '30' }, 'interval', /not a number followed by a unit/],
  ['interval as a number', { interval: 30 }, 'interval', /must be a string with a unit/],
  ['len not a multiple of width', { width: 4, target: { paddr: '0x1000' }, value: '0x33', len: 6 }, 'len', /6 is not a multiple of width 4/],
  ['len over 64 KiB', { len: 65537 }, 'len', /from 1 to 65536/],
  ['unknown action', { action: 'reboot' }, 'action', /not one of report, stack, panic, hang/],
  ['hosts missing', { hosts: undefined }, 'hosts', /required/],
  ['both ids and selector', { hosts: { ids: ['h1'], selector: 'rack=r1' } }, 'hosts', /exactly one of "ids" or "selector"/],
  ['empty id list', { hosts: { ids: [] } }, 'hosts.ids', /list of 1 to 10000 host ids/],
  ['duplicate host id', { hosts: { ids: ['h1', 'h1'] } }, 'hosts.ids', /more than once/],
  ['bad host id', { hosts: { ids: ['h1', 'no spaces'] } }, 'hosts.ids[1]', /not a host id/],
  ['unclosed selector set', { hosts: { selector: 'rack in (r1,r2' } }, 'hosts.selector', /unclosed "\("/],
  ['empty selector', { hosts: { selector: '' } }, 'hosts.selector', /selector is empty/],
  ['expiry in the past', { expires_at: '2020-01-01T00:00:00Z' }, 'expires_at', /not in the future/],
  ['expiry without zone', { expires_at: '2030-01-01T00:00:00' }, 'expires_at', /ISO 8601 time with a zone/],
  ['max_hits zero', { max_hits: 0 }, 'max_hits', /whole number from 1/],
  ['max_hits fractional', { max_hits: 2.5 }, 'max_hits', /whole number from 1/],
  ['unknown field', { intervall: '30ms' }, 'intervall', /unknown field/],
];

describe('POST /api/v1/watches with a bad spec', () => {
  let orchestrator: Orchestrator;
  let api: Api;

  beforeAll(async () => {
    orchestrator = await Orchestrator.start();
    api = new Api(orchestrator.url, orchestrator.adminToken);
  });

  afterAll(async () => {
    await orchestrator?.stop();
  });

  it.each(cases)('%s → 400 naming %s', async (_what, change, field, reason) => {
    const res = await api.request('POST', '/api/v1/watches', { ...good, ...change });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_watch_spec');
    const named = res.body.errors.find((e: { field: string }) => e.field === field);
    expect(named, JSON.stringify(res.body.errors)).toBeDefined();
    expect(named.reason).toMatch(reason);
  });

  it('answers a body that is not an object', async () => {
    const res = await api.request('POST', '/api/v1/watches', [1, 2]);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('(body)');
  });

  it('lists several bad fields in one answer', async () => {
    const res = await api.request('POST', '/api/v1/watches', { ...good, width: 3, action: 'reboot', interval: '1d' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['action', 'interval', 'width']);
  });

  it('created nothing for the bad specs, and accepts the good one', async () => {
    expect((await api.request('GET', '/api/v1/watches')).body.items).toEqual([]);
    const created = await api.createWatch(good);
    expect(created).toMatchObject({ state: 'active', target: { paddr: '0x2a0e000' }, interval: '30ms', value: '0x33' });
    expect((await api.request('GET', '/api/v1/watches')).body.items).toHaveLength(1);
  });
});
