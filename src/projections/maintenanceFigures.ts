import type { Document } from '../app/readStore';

const HOUR_MS = 3_600_000;
const num = (doc: Document, field: string): number => (doc[field] as number | undefined) ?? 0;

/** A machine's running hours and units counted at `nowMs`, from its maintenance read-model document. */
export const machineReadingAt = (machine: Document, nowMs: number) => {
  const running = machine['state'] === 'running' ? Math.max(0, nowMs - Date.parse(machine['since'] as string)) : 0;
  const runningHours = (num(machine, 'runningSeconds') * 1000 + running) / HOUR_MS;
  return { runningHours, count: num(machine, 'countedTotal') };
};

type DueDistance = { hoursToDue: number | null; runningHoursLeft?: number; countsLeft?: number };

/**
 * How far a plan is from falling due at `nowMs`: `hoursToDue` is the soonest it can fall due. Calendar
 * and fixed-date plans: hours until the date. Running-hour plans: the running hours left, as if the
 * machine ran the whole time. Counter plans: the counts left at the machine's units per running hour so
 * far, as if it ran the whole time (null before it has run and counted). Finished plans: none.
 */
export const dueDistance = (plan: Document, machine: Document | undefined, nowMs: number): DueDistance | undefined => {
  const due = plan['due'] as Record<string, unknown>;
  if (typeof due['dueAt'] === 'string') return { hoursToDue: (Date.parse(due['dueAt']) - nowMs) / HOUR_MS };
  const reading = machine ? machineReadingAt(machine, nowMs) : { runningHours: 0, count: 0 };
  if (typeof due['dueRunningHours'] === 'number') {
    const left = due['dueRunningHours'] - reading.runningHours;
    return { hoursToDue: left, runningHoursLeft: left };
  }
  if (typeof due['dueCount'] === 'number') {
    const left = due['dueCount'] - reading.count;
    const perHour = reading.runningHours > 0 ? reading.count / reading.runningHours : 0;
    return { hoursToDue: left <= 0 ? 0 : perHour > 0 ? left / perHour : null, countsLeft: left };
  }
  return undefined;
};

/**
 * Plans coming due within `horizonHours` that have no overdue alarm, soonest first. A plan past its
 * due point (or at it) whose alarm the overdue clock has not raised yet is listed here with `pastDue`, so no plan
 * falls between this list and the overdue one.
 */
export const dueSoon = (
  plans: readonly Document[],
  machines: ReadonlyMap<string, Document>,
  nowMs: number,
  horizonHours: number,
) =>
  plans
    .filter((plan) => !plan['overdueSince'])
    .flatMap((plan): Array<Document & DueDistance & { pastDue: boolean }> => {
      const distance = dueDistance(plan, machines.get(plan['machineId'] as string), nowMs);
      if (!distance || distance.hoursToDue === null || distance.hoursToDue > horizonHours) return [];
      return [{ ...plan, ...distance, pastDue: distance.hoursToDue <= 0 }];
    })
    .sort((a, b) => (a.hoursToDue ?? 0) - (b.hoursToDue ?? 0));

type Interval = { from: string; to: string };

/**
 * A machine's bookings in state `maintenance`, each classed: `planned` when a plan's work on the machine
 * was recorded within it, `corrective` when it overlaps a corrective request (a breakdown under repair),
 * otherwise `unplanned`, which is flagged: downtime booked as maintenance with neither plan nor breakdown
 * would otherwise shorten no repair and pass as planned time.
 */
export const classifyMaintenanceBookings = (machine: Document, requests: readonly Document[], nowMs: number) => {
  const bookings: Interval[] = [...((machine['maintenanceBookings'] as Interval[] | undefined) ?? [])];
  if (machine['state'] === 'maintenance')
    bookings.push({ from: machine['since'] as string, to: new Date(nowMs).toISOString() });
  const performances = ((machine['performances'] as Array<{ at: string }> | undefined) ?? []).map((p) =>
    Date.parse(p.at),
  );
  const repairs = requests.map((r) => ({
    from: Date.parse(r['openedAt'] as string),
    to: r['closedAt'] ? Date.parse(r['closedAt'] as string) : nowMs,
  }));
  const classed = bookings.map((booking) => {
    const from = Date.parse(booking.from);
    const to = Date.parse(booking.to);
    const hours = (to - from) / HOUR_MS;
    if (performances.some((at) => at >= from && at <= to)) return { ...booking, hours, kind: 'planned' as const };
    if (repairs.some((r) => r.from < to && r.to > from)) return { ...booking, hours, kind: 'corrective' as const };
    return { ...booking, hours, kind: 'unplanned' as const };
  });
  const unplanned = classed.filter((b) => b.kind === 'unplanned');
  return {
    bookings: classed.length,
    planned: classed.filter((b) => b.kind === 'planned').length,
    corrective: classed.filter((b) => b.kind === 'corrective').length,
    unplanned,
    unplannedHours: unplanned.reduce((sum, b) => sum + b.hours, 0),
  };
};
