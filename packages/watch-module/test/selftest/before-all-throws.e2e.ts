/**
 * Not a test of physwatch: a chain file whose beforeAll throws, as when the kdump guest
 * does not boot. vitest then reports its tests as skipped; the harness self-test
 * (run.sh) checks that the kernel runner counts that as a failure, not a pass.
 */
import { beforeAll, expect, it } from 'vitest';

beforeAll(() => {
  throw new Error('the guest did not boot (harness self-test)');
});

it('would prove something had the guest booted', () => {
  expect(1).toBe(1);
});
