import { plantCalendar, type PlantConfig } from '../app/plant';
import type { Document, Filter } from '../app/readStore';
import {
  calendarFor,
  calendarIntervals,
  DEFAULT_STARTUP_MINUTES,
  isoWeek,
  weekStart,
  type CalendarOwner,
  type CalendarVersion,
} from '../domain/calendar';
import { NotFoundError } from '../domain/errors';
import type { MachineStatus } from '../domain/machine';
import { addDays, localDate, zonedInstant } from '../lib/time';
import { createAnswerCache } from './answerCache';
import { dayPartId } from './models/oee';
import {
  addTotals,
  oeeFigures,
  timeTotals,
  unitTotals,
  type CountEntry,
  type OeeTotals,
  type StateSegment,
} from './models/oeeCalc';

export type OeePeriod = 'shift' | 'day' | 'week' | 'range';
export type OeeLevel = 'workCenter' | 'line' | 'site' | 'plant';

/** A period's bucket: its key, its interval (ms) and the fields that name it in the answer. */
type Bucket = {
  key: string;
  from: number;
  to: number;
  date: string;
  label: { date?: string; shift?: string; week?: string; weekStart?: string; from?: string; to?: string };
};
/** What one query's machines share: calendar versions, work centers, its end, calendars worked out so far. */
type Context = {
  versions: CalendarVersion[];
  centers: Map<string, Document>;
  until: number;
  calendars: Map<string, ReturnType<typeof calendarIntervals>>;
};
type Read = {
  all: (projection: string, collection: string, filter?: Filter) => Promise<Document[]>;
  get: (projection: string, collection: string, id: string) => Promise<Document | undefined>;
  /** The `oee` read model's version (see `createAnswerCache`): figures of past days are kept while it holds. Default none (nothing kept). */
  version?: () => Promise<string | undefined>;
};

/**
 * OEE, TEEP, utilisation, the loss waterfall and the stop Pareto, computed when asked from the
 * `oee` read model's facts and the calendar in force: per machine, and rolled up over work
 * centers, lines, sites and the plant as ratios of summed times (weighted by planned busy time).
 * Time before a machine's registration and after now is outside every figure; the state a
 * machine is in counts up to now.
 */
export const createOeeQueries = (read: Read, plant: PlantConfig, now: () => number) => {
  const { timeZone } = plant;
  const defaultCalendar = plantCalendar(plant);
  const today = (): string => localDate(now(), timeZone);
  const midnight = (date: string): number => zonedInstant(date, '00:00', timeZone);
  const answers = createAnswerCache();
  const version = read.version ?? (() => Promise.resolve(undefined));
  /**
   * Whether figures over days up to `to` no longer depend on the clock: every instant they may cover
   * (a shift starting on the last day ends the day after) is past, so neither today's clipping nor the
   * state lasting up to now reaches them. Only those are kept.
   */
  const past = (period: OeePeriod, to: string | undefined): boolean =>
    to !== undefined && to < today() && midnight(addDays(to, period === 'shift' ? 2 : 1)) <= now();

  const versions = async (): Promise<CalendarVersion[]> => [
    ...(plant.calendars ?? []),
    ...(await read.all('oee', 'calendars')).map((doc) => ({
      scope: doc['scope'] as CalendarVersion['scope'],
      id: doc['id'] as string,
      version: doc['version'] as number,
      effectiveFrom: doc['effectiveFrom'] as string,
      calendar: doc['calendar'] as CalendarVersion['calendar'],
    })),
  ];
  const workCenters = async (): Promise<Map<string, Document>> =>
    new Map((await read.all('oee', 'workCenters')).map((doc) => [String(doc._id), doc]));
  const ownerOf = (machine: Document, centers: Map<string, Document>): CalendarOwner => {
    const workCenter = machine['workCenter'] as string;
    return {
      machineId: machine['machineId'] as string,
      workCenter,
      site: (centers.get(workCenter)?.['site'] as string | undefined) ?? 'default',
    };
  };

  const buckets = (
    period: OeePeriod,
    from: string,
    to: string,
    shifts: ReturnType<typeof calendarIntervals>['shifts'],
  ): Bucket[] => {
    const out: Bucket[] = [];
    if (period === 'range')
      return [{ key: 'range', from: midnight(from), to: midnight(addDays(to, 1)), date: from, label: { from, to } }];
    if (period === 'shift') {
      for (const s of shifts)
        if (s.date >= from && s.date <= to)
          out.push({
            key: `${s.date}|${s.shift}`,
            from: s.from,
            to: s.to,
            date: s.date,
            label: { date: s.date, shift: s.shift },
          });
      return out;
    }
    for (let date = from; date <= to; date = addDays(date, 1)) {
      if (period === 'day')
        out.push({ key: date, from: midnight(date), to: midnight(addDays(date, 1)), date, label: { date } });
      else {
        const week = isoWeek(date);
        const last = out[out.length - 1];
        if (last?.key === week) last.to = midnight(addDays(date, 1));
        else
          out.push({
            key: week,
            from: midnight(date),
            to: midnight(addDays(date, 1)),
            date,
            label: { week, weekStart: weekStart(date) },
          });
      }
    }
    return out;
  };

  /**
   * A machine's day documents (`states`, `counts`) from local date `first` to `last`, each day's parts
   * after it. The projection keeps a machine's day under the id `<machineId>|<date>`, its further parts
   * beside it (models/oee.ts), so up to two months are read by id; a filter on machineId and date would
   * go through every day the machine has.
   */
  const dayDocs = async (collection: 'states' | 'counts', machineId: string, first: string, last: string) => {
    const dates: string[] = [];
    for (let date = first; date <= last && dates.length <= 62; date = addDays(date, 1)) dates.push(date);
    if (dates.length > 62) return read.all('oee', collection, { machineId, date: { $gte: first, $lte: last } });
    const byId = (id: string) => read.get('oee', collection, id);
    const days = (await Promise.all(dates.map((date) => byId(`${machineId}|${date}`)))).filter(
      (doc): doc is Document => doc !== undefined,
    );
    const more = days.flatMap((day) =>
      Array.from({ length: ((day['parts'] as number | undefined) ?? 1) - 1 }, (_, i) => dayPartId(day['_id'], i + 2)),
    );
    if (more.length === 0) return days;
    const parts = await Promise.all(more.map(byId));
    return [...days, ...parts.filter((doc): doc is Document => doc !== undefined)];
  };

  /** One machine's totals per period bucket, keyed by bucket (buckets with no time in them left out). */
  const machineTotals = async (
    machine: Document,
    period: OeePeriod,
    from: string,
    to: string,
    context: Context,
  ): Promise<Array<{ bucket: Bucket; totals: OeeTotals }>> => {
    const machineId = machine['machineId'] as string;
    const owner = ownerOf(machine, context.centers);
    const input = { versions: context.versions, plant: defaultCalendar, owner, timeZone };
    const rangeFrom = midnight(from);
    // a shift that starts on the last day may end the day after
    const rangeTo = midnight(addDays(to, period === 'shift' ? 2 : 1));
    const lo = Math.max(rangeFrom, Date.parse(machine['registeredAt'] as string));
    const hi = Math.min(rangeTo, context.until);
    if (hi <= lo) return [];
    // machines with no calendar of their own follow their work center's or site's: worked out once a query
    const own = context.versions.some((v) => v.scope === 'machine' && v.id === owner.machineId);
    const shared = own ? undefined : `${owner.workCenter}\u0000${owner.site}\u0000${rangeFrom}\u0000${rangeTo}`;
    const calendar =
      (shared === undefined ? undefined : context.calendars.get(shared)) ??
      calendarIntervals(input, rangeFrom, rangeTo);
    if (shared !== undefined) context.calendars.set(shared, calendar);
    const [first, last] = [localDate(lo, timeZone), localDate(hi, timeZone)];
    const states = (await dayDocs('states', machineId, first, last))
      .flatMap((doc) => doc['segments'] as StateSegment[])
      .filter((s) => s[1] > lo && s[0] < hi);
    const since = Date.parse(machine['since'] as string);
    // the state the machine is in now lasts up to now
    if (since < hi)
      states.push([since, hi, machine['state'] as MachineStatus, (machine['reason'] as string | null) ?? null]);
    states.sort((a, b) => a[0] - b[0]);
    const counts = (await dayDocs('counts', machineId, first, last))
      .flatMap((doc) => doc['entries'] as CountEntry[])
      .sort((a, b) => a[0] - b[0]);
    const ideal = (machine['ideal'] as Record<string, number> | undefined) ?? {};
    const out: Array<{ bucket: Bucket; totals: OeeTotals }> = [];
    for (const bucket of buckets(period, from, to, calendar.shifts)) {
      const bf = Math.max(bucket.from, lo);
      const bt = Math.min(bucket.to, hi);
      if (bt <= bf) continue;
      const time = timeTotals(bf, bt, calendar.segments, states);
      const startup =
        calendarFor(context.versions, defaultCalendar, owner, bucket.date).startupMinutes ?? DEFAULT_STARTUP_MINUTES;
      const units = unitTotals(
        counts.filter((c) => c[0] >= bf && c[0] < bt),
        ideal,
        startup,
      );
      out.push({ bucket, totals: { ...time, ...units } });
    }
    return out;
  };

  const machineDoc = async (machineId: string): Promise<Document> => {
    const doc = await read.get('oee', 'machines', machineId);
    if (!doc) throw new NotFoundError(`machine ${machineId} is not known`);
    return doc;
  };

  /** Now, or an earlier instant the figures are asked as of. */
  const untilOf = (until?: string): number => Math.min(now(), until === undefined ? Infinity : Date.parse(until));

  const machine = (machineId: string, period: OeePeriod, from?: string, to?: string, until?: string) =>
    answers.get(
      JSON.stringify(['machine', machineId, period, from, to, until]),
      version,
      () => machineNow(machineId, period, from, to, until),
      past(period, to),
    );

  const machineNow = async (machineId: string, period: OeePeriod, from?: string, to?: string, until?: string) => {
    const doc = await machineDoc(machineId);
    const range = rangeOf(doc, from, to);
    const context = {
      versions: await versions(),
      centers: await workCenters(),
      until: untilOf(until),
      calendars: new Map(),
    };
    return (await machineTotals(doc, period, range.from, range.to, context)).map(({ bucket, totals }) => ({
      machineId,
      workCenter: doc['workCenter'],
      period,
      ...bucket.label,
      ...oeeFigures(totals),
      idealCycleSeconds: doc['ideal'] as Record<string, number>,
    }));
  };

  /** The range asked, by default from the registration to the plant's local today. */
  const rangeOf = (doc: Document | undefined, from?: string, to?: string): { from: string; to: string } => {
    // days before the registration or after today have no figures: the range is clipped to them
    const registered = doc ? localDate(doc['registeredAt'] as string, timeZone) : today();
    const last = to === undefined || to > today() ? today() : to;
    return { from: from === undefined || from < registered ? registered : from, to: last };
  };

  const rollup = (
    level: OeeLevel,
    key: string | undefined,
    period: OeePeriod,
    from?: string,
    to?: string,
    only?: readonly string[],
    until?: string,
  ) =>
    answers.get(
      JSON.stringify(['rollup', level, key, period, from, to, only, until]),
      version,
      () => rollupNow(level, key, period, from, to, only, until),
      past(period, to),
    );

  const rollupNow = async (
    level: OeeLevel,
    key: string | undefined,
    period: OeePeriod,
    from?: string,
    to?: string,
    only?: readonly string[],
    until?: string,
  ) => {
    const centers = await workCenters();
    const machines = (await read.all('oee', 'machines')).filter((m) => {
      if (only && !only.includes(m['machineId'] as string)) return false;
      const wc = m['workCenter'] as string;
      if (level === 'workCenter') return wc === key;
      if (level === 'line') return centers.get(wc)?.['line'] === key;
      if (level === 'site') return ((centers.get(wc)?.['site'] as string | undefined) ?? 'default') === key;
      return true;
    });
    if (machines.length === 0 && level !== 'plant')
      throw new NotFoundError(`no machine belongs to ${level} ${key ?? ''}`);
    const earliest = machines.map((m) => m['registeredAt'] as string).sort()[0];
    const range = rangeOf(earliest === undefined ? undefined : { _id: '', registeredAt: earliest }, from, to);
    const context = { versions: await versions(), centers, until: untilOf(until), calendars: new Map() };
    const sums = new Map<string, { bucket: Bucket; totals: OeeTotals; machines: string[] }>();
    for (const m of machines)
      for (const { bucket, totals } of await machineTotals(m, period, range.from, range.to, context)) {
        const known = sums.get(bucket.key);
        if (known) {
          known.totals = addTotals(known.totals, totals);
          known.machines.push(m['machineId'] as string);
        } else sums.set(bucket.key, { bucket, totals, machines: [m['machineId'] as string] });
      }
    return [...sums.values()]
      .sort((a, b) => a.bucket.from - b.bucket.from || a.bucket.key.localeCompare(b.bucket.key))
      .map(({ bucket, totals, machines: ids }) => ({
        level,
        ...(key !== undefined ? { key } : {}),
        period,
        ...bucket.label,
        machines: ids,
        ...oeeFigures(totals),
      }));
  };

  /** The machines of a level (every machine for the plant) with the state each is in now and since when. */
  const states = async (level: OeeLevel | 'machine', key?: string) => {
    const centers = await workCenters();
    return (await read.all('oee', 'machines'))
      .filter((m) => {
        const wc = m['workCenter'] as string;
        if (level === 'machine') return m['machineId'] === key;
        if (level === 'workCenter') return wc === key;
        if (level === 'line') return centers.get(wc)?.['line'] === key;
        if (level === 'site') return ((centers.get(wc)?.['site'] as string | undefined) ?? 'default') === key;
        return true;
      })
      .map((m) => ({
        machineId: m['machineId'] as string,
        workCenter: m['workCenter'] as string,
        line: (centers.get(m['workCenter'] as string)?.['line'] as string | undefined) ?? null,
        state: m['state'] as MachineStatus,
        reason: (m['reason'] as string | null | undefined) ?? null,
        since: m['since'] as string,
      }))
      .sort((a, b) => a.machineId.localeCompare(b.machineId));
  };

  /** A machine's calendar over local days: its shift occurrences and their working, break and planned-stop segments. */
  const calendarOf = async (machineId: string, from?: string, to?: string) => {
    const doc = await machineDoc(machineId);
    const first = from ?? today();
    const last = to ?? first;
    const owner = ownerOf(doc, await workCenters());
    const { shifts, segments } = calendarIntervals(
      { versions: await versions(), plant: defaultCalendar, owner, timeZone },
      midnight(first),
      midnight(addDays(last, 1)),
    );
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      machineId,
      owner,
      timeZone,
      shifts: shifts.map((s) => ({ ...s, from: iso(s.from), to: iso(s.to) })),
      segments: segments.map((s) => ({ ...s, from: iso(s.from), to: iso(s.to) })),
    };
  };

  /**
   * A machine's states over one local day (default today): the day's segments as recorded, and the
   * state it is in now from its start up to now (or the day's end), each with its reason.
   */
  const timeline = async (machineId: string, day?: string) => {
    const doc = await machineDoc(machineId);
    const date = day ?? today();
    const from = midnight(date);
    const to = midnight(addDays(date, 1));
    const segments = (await dayDocs('states', machineId, date, date)).flatMap((d) => d['segments'] as StateSegment[]);
    const since = Date.parse(doc['since'] as string);
    const end = Math.min(to, Math.max(now(), since));
    const current: StateSegment[] =
      since < end
        ? [[Math.max(since, from), end, doc['state'] as MachineStatus, (doc['reason'] as string | null) ?? null]]
        : [];
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      machineId,
      workCenter: doc['workCenter'] as string,
      date,
      timeZone,
      from: iso(from),
      to: iso(to),
      state: doc['state'] as MachineStatus,
      reason: (doc['reason'] as string | null) ?? null,
      since: doc['since'] as string,
      segments: [...segments, ...current]
        .filter((s) => s[1] > from && s[0] < to)
        .sort((a, b) => a[0] - b[0])
        .map(([start, stop, state, reason]) => ({ from: iso(start), to: iso(stop), state, reason })),
    };
  };

  return { machine, rollup, states, today, calendars: versions, calendarOf, timeline };
};
