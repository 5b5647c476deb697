import { ALERT_KINDS, type AlertKind } from '../domain/alert';
import type { ConfigAlerts } from '../domain/generated';

/** Who sees which alert kinds in the web app: by role, and by person (login) besides. */
export type AlertSubscriptions = {
  roles: Readonly<Partial<Record<string, readonly AlertKind[]>>>;
  people: Readonly<Partial<Record<string, readonly AlertKind[]>>>;
};

/** Without ALERTS_FILE's `roles`: maintenance hears of plans overdue, machines down and health degraded, quality of failed inspections. */
export const DEFAULT_ALERT_ROLES: AlertSubscriptions['roles'] = {
  maintenance: ['maintenance-overdue', 'machine-down', 'equipment-health'],
  quality: ['inspection-failed'],
};

export const alertSubscriptionsOf = (settings: ConfigAlerts): AlertSubscriptions => ({
  roles: settings.roles ?? DEFAULT_ALERT_ROLES,
  people: settings.people ?? {},
});

/** The kinds a caller sees: those of each of their roles and of their own login, in the catalogue's order. */
export const alertKindsFor = (
  subscriptions: AlertSubscriptions,
  caller: { name: string; roles: readonly string[] },
): AlertKind[] => {
  const mine = new Set<AlertKind>([
    ...caller.roles.flatMap((role) => subscriptions.roles[role] ?? []),
    ...(subscriptions.people[caller.name] ?? []),
  ]);
  return ALERT_KINDS.filter((kind) => mine.has(kind));
};
