import type { Condition } from './watch-spec';

export interface ConditionParams {
  condition: Condition;
  value: bigint;
  mask: bigint;
}

/**
 * Whether a word that went from `before` to `after` is a hit. Every condition is about a
 * change, so an address that already holds the target value when armed does not fire
 * until it leaves and comes back.
 */
export function isHit(params: ConditionParams, before: bigint, after: bigint): boolean {
  if (before === after) return false;
  switch (params.condition) {
    case 'equals':
      return after === params.value;
    case 'changes_from':
      return before === params.value;
    case 'any_change':
      return true;
    case 'mask_equals':
      return (after & params.mask) === params.value && (before & params.mask) !== params.value;
  }
}
