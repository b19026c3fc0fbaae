import { describe, expect, it } from 'vitest';
import { isRole, roleAllows, ROLES } from './roles';

describe('roles', () => {
  it('orders viewer < operator < admin', () => {
    const table = ROLES.map((role) => ROLES.map((required) => roleAllows(role, required)));
    expect(table).toEqual([
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ]);
  });

  it('knows only its three roles', () => {
    expect(ROLES.filter(isRole)).toEqual(['viewer', 'operator', 'admin']);
    expect([undefined, '', 'root', 'Admin', 1].some(isRole)).toBe(false);
  });
});
