import type * as Schema from '../generated';
import { addDays, localDate, zonedInstant } from '../../lib/time';

export type Calendar = Schema.Calendar;
export type CalendarScope = Schema.CalendarScope;

/** A calendar in force for one scope (site, work center or machine) from a local day. */
export type CalendarVersion = {
  scope: CalendarScope;
  id: string;
  effectiveFrom: string;
  /** 0 for the configuration's, then 1, 2... for versions set through the API (a later one wins on a tie). */
  version: number;
  calendar: Calendar;
};

/** Where a machine sits, for choosing its calendar: its own, its work center's, its site's, the plant's. */
export type CalendarOwner = { machineId?: string; workCenter?: string; site?: string };

/** A shift as it happens on a local day: from its start to its end, breaks included. */
export type ShiftOccurrence = { date: string; shift: string; from: number; to: number };

/** A piece of a shift occurrence: working time, a break, or a planned stop (meetings, planned maintenance, trials). */
export type CalendarSegment = {
  from: number;
  to: number;
  kind: 'working' | 'break' | 'plannedStop';
  date: string;
  shift: string;
  /** The planned stop's or break's name. */
  name?: string;
};

export const DEFAULT_STARTUP_MINUTES = 15;

/** ISO weekday of a local date: 1 Monday to 7 Sunday. */
export const isoWeekday = (date: string): number => {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
};

/** ISO week of a local date, as `2026-W48`. */
export const isoWeek = (date: string): string => {
  const thursday = addDays(date, 4 - isoWeekday(date));
  const yearStart = `${thursday.slice(0, 4)}-01-01`;
  const week = Math.floor((Date.parse(thursday) - Date.parse(yearStart)) / 86_400_000 / 7) + 1;
  return `${thursday.slice(0, 4)}-W${String(week).padStart(2, '0')}`;
};

/** The Monday of the ISO week a local date is in. */
export const weekStart = (date: string): string => addDays(date, 1 - isoWeekday(date));

/** Whether shifts start on a local day: a make-up working day always, a holiday never, else by weekday. */
export const isWorkingDay = (calendar: Calendar, date: string): boolean => {
  if ((calendar.workingDays ?? []).some((d) => d.date === date)) return true;
  if ((calendar.holidays ?? []).some((d) => d.date === date)) return false;
  return (calendar.workingWeekdays ?? [1, 2, 3, 4, 5, 6, 7]).includes(isoWeekday(date));
};

/** The instant of `time` at or after `fromMs` (within a day): a break at 01:00 of a 22:00 shift is the next day. */
const instantFrom = (date: string, time: string, fromMs: number, timeZone: string): number => {
  const same = zonedInstant(date, time, timeZone);
  return same >= fromMs ? same : zonedInstant(addDays(date, 1), time, timeZone);
};

const span = (date: string, start: string, end: string, timeZone: string): [number, number] => {
  const from = zonedInstant(date, start, timeZone);
  const to = zonedInstant(end <= start ? addDays(date, 1) : date, end, timeZone);
  return [from, to];
};

/** The shift occurrences and their segments that start on a local day, by one calendar. */
export const dayOfCalendar = (
  calendar: Calendar,
  date: string,
  timeZone: string,
): { shifts: ShiftOccurrence[]; segments: CalendarSegment[] } => {
  if (!isWorkingDay(calendar, date)) return { shifts: [], segments: [] };
  const shifts: ShiftOccurrence[] = [];
  const segments: CalendarSegment[] = [];
  // planned stops of this day and the day before (one may run past midnight into this day's shifts)
  const stops = [addDays(date, -1), date, addDays(date, 1)].flatMap((day) =>
    (calendar.plannedStops ?? [])
      .filter((s) =>
        s.date !== undefined
          ? s.date === day
          : isWorkingDay(calendar, day) && (s.weekdays ?? [isoWeekday(day)]).includes(isoWeekday(day)),
      )
      .map((s) => {
        const [from, to] = span(day, s.start, s.end, timeZone);
        return { from, to, name: s.name };
      }),
  );
  for (const shift of calendar.shifts) {
    const [from, to] = span(date, shift.start, shift.end, timeZone);
    shifts.push({ date, shift: shift.name, from, to });
    // cut points: breaks first (a break inside a planned stop stays a break), then planned stops
    const marks: Array<{ from: number; to: number; kind: 'break' | 'plannedStop'; name?: string }> = [];
    for (const b of shift.breaks ?? []) {
      const bFrom = instantFrom(date, b.start, from, timeZone);
      const bTo = instantFrom(date, b.end, bFrom + 1, timeZone);
      marks.push({
        from: Math.max(from, bFrom),
        to: Math.min(to, bTo),
        kind: 'break',
        ...(b.name ? { name: b.name } : {}),
      });
    }
    for (const s of stops)
      marks.push({ from: Math.max(from, s.from), to: Math.min(to, s.to), kind: 'plannedStop', name: s.name });
    const cuts = [...new Set([from, to, ...marks.flatMap((m) => [m.from, m.to])])]
      .filter((t) => t >= from && t <= to)
      .sort((a, b) => a - b);
    for (let i = 0; i + 1 < cuts.length; i += 1) {
      const a = cuts[i] as number;
      const b = cuts[i + 1] as number;
      const mark =
        marks.find((m) => m.kind === 'break' && m.from <= a && b <= m.to) ??
        marks.find((m) => m.kind === 'plannedStop' && m.from <= a && b <= m.to);
      const kind = mark?.kind ?? 'working';
      const last = segments[segments.length - 1];
      if (last && last.to === a && last.kind === kind && last.shift === shift.name && last.name === mark?.name)
        last.to = b;
      else segments.push({ from: a, to: b, kind, date, shift: shift.name, ...(mark?.name ? { name: mark.name } : {}) });
    }
  }
  return { shifts, segments };
};

const SCOPE_ORDER: readonly CalendarScope[] = ['machine', 'workCenter', 'site'];

/**
 * The calendar a machine follows on a local day: the most specific scope that has a version in
 * force (machine, then work center, then site), else the plant's. Within a scope the version with
 * the latest `effectiveFrom` on or before the day wins, and of two from the same day the later set.
 */
export const calendarFor = (
  versions: readonly CalendarVersion[],
  plant: Calendar,
  owner: CalendarOwner,
  date: string,
): Calendar => {
  const ids: Record<CalendarScope, string | undefined> = {
    machine: owner.machineId,
    workCenter: owner.workCenter,
    site: owner.site,
  };
  for (const scope of SCOPE_ORDER) {
    const id = ids[scope];
    if (id === undefined) continue;
    const inForce = versions
      .filter((v) => v.scope === scope && v.id === id && v.effectiveFrom <= date)
      .sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom) || a.version - b.version);
    const chosen = inForce[inForce.length - 1];
    if (chosen) return chosen.calendar;
  }
  return plant;
};

/**
 * A machine's calendar over [fromMs, toMs): the shift occurrences that overlap it and their
 * segments (working time, breaks, planned stops), clipped to the range, in time order. Time in
 * the range outside every segment is non-working (no shift, a non-working day or a holiday).
 * Each shift follows the calendar in force on the day it starts.
 */
export const calendarIntervals = (
  input: { versions: readonly CalendarVersion[]; plant: Calendar; owner: CalendarOwner; timeZone: string },
  fromMs: number,
  toMs: number,
): { shifts: ShiftOccurrence[]; segments: CalendarSegment[] } => {
  const shifts: ShiftOccurrence[] = [];
  const segments: CalendarSegment[] = [];
  if (toMs <= fromMs) return { shifts, segments };
  const last = localDate(toMs, input.timeZone);
  for (let date = addDays(localDate(fromMs, input.timeZone), -1); date <= last; date = addDays(date, 1)) {
    const day = dayOfCalendar(calendarFor(input.versions, input.plant, input.owner, date), date, input.timeZone);
    for (const s of day.shifts) if (s.to > fromMs && s.from < toMs) shifts.push(s);
    for (const s of day.segments) {
      const from = Math.max(s.from, fromMs);
      const to = Math.min(s.to, toMs);
      if (to > from) segments.push({ ...s, from, to });
    }
  }
  // overlapping shifts (a misconfigured calendar) are resolved in favour of the earlier segment
  segments.sort((a, b) => a.from - b.from);
  const disjoint: CalendarSegment[] = [];
  for (const s of segments) {
    const previous = disjoint[disjoint.length - 1];
    const from = previous ? Math.max(s.from, previous.to) : s.from;
    if (s.to > from) disjoint.push({ ...s, from });
  }
  shifts.sort((a, b) => a.from - b.from);
  return { shifts, segments: disjoint };
};

/**
 * A machine's working intervals over [fromMs, toMs): its shifts with breaks and planned stops
 * removed, adjacent pieces merged. What the OEE's calendar working time is made of, and what
 * labour can use to tell overtime from shift time.
 */
export const workingIntervals = (
  input: { versions: readonly CalendarVersion[]; plant: Calendar; owner: CalendarOwner; timeZone: string },
  fromMs: number,
  toMs: number,
): Array<{ from: number; to: number; date: string; shift: string }> => {
  const out: Array<{ from: number; to: number; date: string; shift: string }> = [];
  for (const s of calendarIntervals(input, fromMs, toMs).segments) {
    if (s.kind !== 'working') continue;
    const last = out[out.length - 1];
    if (last && last.to === s.from && last.shift === s.shift && last.date === s.date) last.to = s.to;
    else out.push({ from: s.from, to: s.to, date: s.date, shift: s.shift });
  }
  return out;
};

/** The plant calendar a list of plain shifts stands for: every day, no breaks, no planned stops. */
export const calendarOfShifts = (shifts: ReadonlyArray<{ name: string; start: string; end: string }>): Calendar => ({
  shifts: shifts.map(({ name, start, end }) => ({ name, start, end })),
});
