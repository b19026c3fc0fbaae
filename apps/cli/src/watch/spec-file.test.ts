import { describe, expect, it } from 'vitest';
import { BadInputError } from '../cli-error';
import { parseSpecText } from './spec-file';

describe('watch spec files', () => {
  it('reads YAML with unquoted hex, keeping 64-bit values exact', () => {
    expect(parseSpecText('target: {paddr: 0x2a0e000}\nwidth: 8\nvalue: 0xffffffffffffffff\nhosts: {ids: [a]}\n', 'w.yaml')).toEqual({
      target: { paddr: 0x2a0e000 },
      width: 8,
      value: '18446744073709551615',
      hosts: { ids: ['a'] },
    });
  });

  it('reads JSON as JSON, and names the file when it cannot parse', () => {
    expect(parseSpecText('{"width": 4}', 'w.json')).toEqual({ width: 4 });
    expect(() => parseSpecText('{"width": ', 'w.json')).toThrow(BadInputError);
    expect(() => parseSpecText('a: [1,', 'w.yaml')).toThrow(/-f w.yaml: not valid YAML/);
  });
});
