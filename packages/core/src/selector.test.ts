import { describe, expect, it } from 'vitest';
import { matchesSelector, parseSelector, SelectorSyntaxError } from './selector';

const host = { rack: 'r12', 'bios.version': '2.1.3', platform: 'arm64-x' };

describe('label selectors (Kubernetes semantics)', () => {
  it.each([
    ['rack=r12,bios.version=2.1.3', true],
    ['rack==r12', true],
    ['rack=r13', false],
    ['rack!=r13', true],
    ['missing!=x', true], // != matches hosts without the key
    ['rack in (r11, r12)', true],
    ['rack in (r11,r13)', false],
    ['rack notin (r11,r13)', true],
    ['missing notin (a)', true],
    ['missing in (a)', false],
    ['platform', true],
    ['!platform', false],
    ['!missing', true],
    ['rack=r12,!missing,bios.version in (2.1.3,2.1.4)', true],
    ['rack=r12,missing', false],
  ])('%s -> %s', (selector, expected) => {
    expect(matchesSelector(parseSelector(selector), host)).toBe(expected);
  });

  it.each([
    ['', 'selector is empty'],
    ['rack=r12,', 'empty requirement'],
    ['rack in (a,b', 'unclosed "("'],
    ['rack in (a,,b)', 'empty value in set'],
    ['-bad=x', 'bad label key "-bad"'],
    ['rack=a b', 'bad label value "a b"'],
  ])('rejects %j with a reason', (selector, reason) => {
    expect(() => parseSelector(selector)).toThrow(SelectorSyntaxError);
    expect(() => parseSelector(selector)).toThrow(reason);
  });
});
