import { parseWatchSpec } from '@physwatch/core';
import { describe, expect, it } from 'vitest';
import { PlaceableHost, selectedHosts } from './placement';

const hosts: PlaceableHost[] = [
  { id: 'a', labels: { rack: 'r1', 'bios.version': '2.1.3' } },
  { id: 'b', labels: { rack: 'r1', 'bios.version': '2.0.0' } },
  { id: 'c', labels: { rack: 'r2' } },
];

function selection(hostsField: object) {
  return parseWatchSpec({ target: { paddr: '0x1000' }, width: 1, condition: 'any_change', interval: '1ms', hosts: hostsField }).hosts;
}

describe('selectedHosts', () => {
  it.each([
    [{ selector: 'rack=r1' }, ['a', 'b']],
    [{ selector: 'rack=r1,bios.version=2.1.3' }, ['a']],
    [{ selector: 'rack!=r1' }, ['c']],
    [{ selector: 'bios.version' }, ['a', 'b']],
    [{ selector: '!bios.version' }, ['c']],
    [{ selector: 'rack in (r2,r3)' }, ['c']],
    [{ ids: ['c', 'a', 'unknown'] }, ['a', 'c']],
  ])('%j selects %j', (hostsField, expected) => {
    expect(selectedHosts(selection(hostsField), hosts)).toEqual(expected);
  });
});
