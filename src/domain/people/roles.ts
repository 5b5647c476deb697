/**
 * The roles. No role passes every check: each route names the roles it allows. The three
 * administrators are kept apart (MLPS level 3 separation of system, security and audit
 * administration), and a device holds only `device`.
 */
export const ROLES = [
  'operator',
  'quality',
  'maintenance',
  'planner',
  'analyst',
  'auditor',
  'integrator',
  'sysadmin',
  'secadmin',
  'auditadmin',
  'device',
] as const;
export type Role = (typeof ROLES)[number];

/** Roles that administer the system, people and security, or the security audit: a second factor is required. */
export const SECOND_FACTOR_ROLES: readonly Role[] = ['sysadmin', 'secadmin', 'auditadmin'];

/** Pairs one holder may not combine: each administrator apart from the others, the security one from the business audit. */
const CONFLICTS: ReadonlyArray<readonly [Role, Role]> = [
  ['sysadmin', 'secadmin'],
  ['sysadmin', 'auditadmin'],
  ['secadmin', 'auditadmin'],
  ['secadmin', 'auditor'],
];

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/** The pairs of roles in `roles` that one holder may not combine, as `a+b`; `device` combines with nothing. */
export const dutyConflicts = (roles: readonly string[]): string[] => {
  const held = new Set(roles);
  const found = CONFLICTS.filter(([a, b]) => held.has(a) && held.has(b)).map(([a, b]) => `${a}+${b}`);
  if (held.has('device') && held.size > 1) found.push('device+other roles');
  return found;
};

export const needsSecondFactor = (roles: readonly string[]): boolean =>
  roles.some((role) => (SECOND_FACTOR_ROLES as readonly string[]).includes(role));
