/** Calendar arithmetic in the plant's time zone (Intl; no zone data of our own). */

const formats = new Map<string, Intl.DateTimeFormat>();
const formatFor = (timeZone: string): Intl.DateTimeFormat => {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(timeZone, format);
  }
  return format;
};

const partsAt = (ms: number, timeZone: string): Record<string, number> => {
  const parts: Record<string, number> = {};
  for (const part of formatFor(timeZone).formatToParts(new Date(ms)))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return parts;
};

/** Answers that repeat (offsets, shift boundaries) are kept: Intl is slow and projections ask often. */
const memo = <T>(cache: Map<string, T>, key: string, compute: () => T): T => {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size > 50_000) cache.clear();
    value = compute();
    cache.set(key, value);
  }
  return value;
};
const DAY_MS = 86_400_000;
const instants = new Map<string, number>();

// zone offsets change on quarter-hour boundaries at most, so one answer serves each quarter hour
const QUARTER_HOUR = 900_000;

/** Offsets by zone, then quarter hour (number keys: no key string built per call). */
const offsetsByZone = new Map<string, Map<number, number>>();
let lastZone = '';
let lastBucket = Number.NaN;
let lastOffset = 0;

/** The zone's offset from UTC at an instant, in ms. */
const offsetAt = (ms: number, timeZone: string): number => {
  const bucket = Math.floor(ms / QUARTER_HOUR) * QUARTER_HOUR;
  if (bucket === lastBucket && timeZone === lastZone) return lastOffset;
  let zone = offsetsByZone.get(timeZone);
  if (!zone) {
    zone = new Map();
    offsetsByZone.set(timeZone, zone);
  }
  let offset = zone.get(bucket);
  if (offset === undefined) {
    if (zone.size > 50_000) zone.clear();
    const p = partsAt(bucket, timeZone);
    offset =
      Date.UTC(p['year'] as number, (p['month'] as number) - 1, p['day'], p['hour'], p['minute'], p['second']) - bucket;
    zone.set(bucket, offset);
  }
  lastZone = timeZone;
  lastBucket = bucket;
  lastOffset = offset;
  return offset;
};

let lastDay = Number.NaN;
let lastDayText = '';

/** The local date (YYYY-MM-DD) of an instant in the zone. */
export const localDate = (instant: string | number, timeZone: string): string => {
  const ms = typeof instant === 'number' ? instant : Date.parse(instant);
  // the date of an instant is its whole days since the epoch: the last one's text serves again
  const day = Math.floor((ms + offsetAt(ms, timeZone)) / DAY_MS);
  if (day !== lastDay) {
    lastDayText = new Date(day * DAY_MS).toISOString().slice(0, 10);
    lastDay = day;
  }
  return lastDayText;
};

/**
 * The instant (ms) at which the zone's clock shows `date` `time` (HH:MM; 24:00 is the next midnight).
 * A time shown twice (clocks going back) is its first occurrence; a time skipped (clocks going
 * forward) is read with the offset before the jump, so 02:30 in a 02:00-03:00 gap is 03:30 after it.
 */
export const zonedInstant = (date: string, time: string, timeZone: string): number =>
  memo(instants, `${timeZone}|${date}|${time}`, () => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    const [hh, mm] = time.split(':').map(Number) as [number, number];
    const wall = Date.UTC(y, m - 1, d, hh, mm);
    // the offsets a day either side differ only when this wall time is near a change of offset
    const before = offsetAt(wall - DAY_MS, timeZone);
    if (offsetAt(wall - before, timeZone) === before) return wall - before;
    const after = offsetAt(wall + DAY_MS, timeZone);
    if (offsetAt(wall - after, timeZone) === after) return wall - after;
    return wall - before;
  });

export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export type Shift = { name: string; start: string; end: string };

/** How long a shift lasts on a local date (a DST change can make it shorter or longer). */
export const shiftLengthSeconds = (date: string, shift: Shift, timeZone: string): number => {
  const start = zonedInstant(date, shift.start, timeZone);
  const end = zonedInstant(shift.end <= shift.start ? addDays(date, 1) : date, shift.end, timeZone);
  return (end - start) / 1000;
};

/** Each shift occurrence that overlaps [fromMs, toMs), with the overlap in seconds. */
export const shiftOverlaps = (
  fromMs: number,
  toMs: number,
  shifts: readonly Shift[],
  timeZone: string,
): Array<{ date: string; shift: Shift; seconds: number; lengthSeconds: number }> => {
  if (toMs <= fromMs) return [];
  const out: Array<{ date: string; shift: Shift; seconds: number; lengthSeconds: number }> = [];
  const last = localDate(toMs, timeZone);
  for (let date = addDays(localDate(fromMs, timeZone), -1); date <= last; date = addDays(date, 1)) {
    for (const shift of shifts) {
      const start = zonedInstant(date, shift.start, timeZone);
      const lengthSeconds = shiftLengthSeconds(date, shift, timeZone);
      const overlap = Math.min(start + lengthSeconds * 1000, toMs) - Math.max(start, fromMs);
      if (overlap > 0) out.push({ date, shift, seconds: overlap / 1000, lengthSeconds });
    }
  }
  return out;
};
