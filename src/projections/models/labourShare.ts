import { dayOfCalendar, type Calendar } from '../../domain/calendar';
import { addDays, localDate } from '../../lib/time';

/** A clocking as the labour read model keeps it (endedAt null while the operator is clocked in). */
export type Clocking = {
  operatorId: string;
  orderId: string;
  operationId: string;
  startedAt: string;
  endedAt: string | null;
  /** Piece work credited to this clocking (quantities reported while it was open, shared among those open). */
  good: number;
  scrap: number;
};

/** One occurrence of a shift: its name, the local date it starts on, and [start, end) in ms. */
export type ShiftWindow = { name: string; date: string; start: number; end: number };

/** How long before a shift begins a clock-in counts as an early start of that shift. */
const EARLY_MS = 60 * 60_000;
/** Clockings of one operator less than this apart belong to the same stretch of work, and so the same shift. */
const CONTINUOUS_MS = 30 * 60_000;

/**
 * The shift occurrence a clock-in at `ms` belongs to: the one running then, or the next when it begins
 * within an hour (an early start), by the plant calendar: a holiday or a day off has no shift, so
 * all its time is overtime, and a make-up working day (调休) has its shifts.
 */
export const shiftWindowAt = (ms: number, calendar: Calendar, timeZone: string): ShiftWindow | undefined => {
  const today = localDate(ms, timeZone);
  const windows: ShiftWindow[] = [addDays(today, -1), today, addDays(today, 1)].flatMap((date) =>
    dayOfCalendar(calendar, date, timeZone).shifts.map((s) => ({
      name: s.shift,
      date: s.date,
      start: s.from,
      end: s.to,
    })),
  );
  const early = windows.find((w) => w.start > ms && w.start - ms <= EARLY_MS);
  return early ?? windows.find((w) => w.start <= ms && ms < w.end);
};

/** A clocking's share of the operator's time: hours (shared), of which outside its shift (overtime). */
export type SharedClocking = Clocking & {
  /** The local date of the clocking's shift (payroll day). */
  day: string;
  shift: string | null;
  /** When the time ends: the clock-out, else the end of the shift (or now, if earlier). */
  until: string;
  closedAtShiftEnd: boolean;
  hours: number;
  overtimeHours: number;
};

/**
 * Shares one operator's time among clockings that overlap: at every instant the operator's time is
 * split equally among the operations they are clocked onto then (8 h tending two machines is 4 h on
 * each, 8 h in all). A clocking still open ends at the end of its shift (or now, if that is earlier).
 * A clocking's shift is the one its clock-in belongs to (shiftWindowAt), or, when the operator was
 * already at work (another clocking open or ended less than 30 minutes before), that work's shift.
 * Overtime is the shared time outside the shift window.
 */
export const shareOperatorTime = (
  clockings: readonly Clocking[],
  now: number,
  shiftAt: (ms: number) => ShiftWindow | undefined,
  timeZone: string,
): SharedClocking[] => {
  const sorted = [...clockings].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const spans: Array<{ c: Clocking; from: number; to: number; window: ShiftWindow | undefined; closed: boolean }> = [];
  for (const c of sorted) {
    const from = Date.parse(c.startedAt);
    const before = spans.find((s) => s.from <= from && from <= s.to + CONTINUOUS_MS && s.window);
    const window = before?.window ?? shiftAt(from);
    const end = c.endedAt ? Date.parse(c.endedAt) : Math.min(now, window?.end ?? now);
    spans.push({
      c,
      from,
      to: Math.max(from, end),
      window,
      closed: !c.endedAt && window !== undefined && end === window.end,
    });
  }
  const shared = spans.map(() => ({ ms: 0, overtime: 0 }));
  const cuts = [
    ...new Set(spans.flatMap((s) => [s.from, s.to, ...(s.window ? [s.window.start, s.window.end] : [])])),
  ].sort((a, b) => a - b);
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = cuts[i] as number;
    const b = cuts[i + 1] as number;
    const open = spans.flatMap((s, index) => (s.from <= a && b <= s.to ? [index] : []));
    for (const index of open) {
      const share = (b - a) / open.length;
      const window = spans[index]?.window;
      const entry = shared[index] as { ms: number; overtime: number };
      entry.ms += share;
      if (!window || a < window.start || b > window.end) entry.overtime += share;
    }
  }
  const hours = (ms: number) => Math.round((ms / 3_600_000) * 10_000) / 10_000;
  return spans.map((s, i) => ({
    ...s.c,
    day: s.window?.date ?? localDate(s.from, timeZone),
    shift: s.window?.name ?? null,
    until: new Date(s.to).toISOString(),
    closedAtShiftEnd: s.closed,
    hours: hours(shared[i]?.ms ?? 0),
    overtimeHours: hours(shared[i]?.overtime ?? 0),
  }));
};

/** Per operator, payroll day and operation: hours, overtime, good and scrap (piece rate), summed. */
export type PayrollRow = {
  operatorId: string;
  day: string;
  orderId: string;
  operationId: string;
  hours: number;
  overtimeHours: number;
  good: number;
  scrap: number;
};

export const payrollRows = (shared: readonly SharedClocking[]): PayrollRow[] => {
  const rows = new Map<string, PayrollRow>();
  for (const s of shared) {
    const key = [s.operatorId, s.day, s.orderId, s.operationId].join('|');
    const row = rows.get(key) ?? {
      operatorId: s.operatorId,
      day: s.day,
      orderId: s.orderId,
      operationId: s.operationId,
      hours: 0,
      overtimeHours: 0,
      good: 0,
      scrap: 0,
    };
    row.hours = Math.round((row.hours + s.hours) * 10_000) / 10_000;
    row.overtimeHours = Math.round((row.overtimeHours + s.overtimeHours) * 10_000) / 10_000;
    row.good += s.good;
    row.scrap += s.scrap;
    rows.set(key, row);
  }
  return [...rows.values()].sort(
    (a, b) =>
      a.operatorId.localeCompare(b.operatorId) ||
      a.day.localeCompare(b.day) ||
      a.orderId.localeCompare(b.orderId) ||
      a.operationId.localeCompare(b.operationId),
  );
};
