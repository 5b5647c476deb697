/** The office's areas: the menu shows those the person's roles allow, and the router lets in no one else. */
export type AreaKey = 'dashboard' | 'planner' | 'quality' | 'maintenance' | 'auditor';
export type OfficeArea = { key: AreaKey; path: string; roles: readonly string[] };

/** Everyone who works in the office reads the dashboard. */
export const OFFICE_ROLES = ['planner', 'quality', 'maintenance', 'analyst', 'auditor'] as const;

export const AREAS: readonly OfficeArea[] = [
  { key: 'dashboard', path: '/office/dashboard', roles: OFFICE_ROLES },
  { key: 'planner', path: '/office/planner', roles: ['planner'] },
  { key: 'quality', path: '/office/quality', roles: ['quality'] },
  { key: 'maintenance', path: '/office/maintenance', roles: ['maintenance'] },
  { key: 'auditor', path: '/office/audit', roles: ['auditor'] },
];

export const areaOf = (key: unknown): OfficeArea | undefined => AREAS.find((a) => a.key === key);
