/**
 * Who may do what through the REST API. Each role may do everything the ones before it may:
 * viewer reads; operator also starts, stops, pauses and resumes watches that cannot take a
 * host down; admin also creates destructive watches (isDestructive) and manages tokens.
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when `role` may do what `required` may. */
export function roleAllows(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}
