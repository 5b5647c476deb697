import type { TelemetrySignals } from '../../domain/generated/common';
import { localDate } from '../../lib/time';
import type { Projection, ProjectionContext } from '../runner';

/** How long each resolution is kept, in hours of device time behind a series' newest interval. */
export type TelemetryRetention = { intervalHours: number; hourlyHours: number };
export const DEFAULT_TELEMETRY_RETENTION: TelemetryRetention = { intervalHours: 7 * 24, hourlyHours: 400 * 24 };

type Agg = { count: number; min: number; max: number; sum: number; sumSq: number; last: number; lastAt: string };
/** A signal's aggregates over an interval, hour or day beginning at `start` (those a device sends, by time). */
export type TelemetryPoint = Omit<TelemetrySignals[number], 'signal'> & { start: string };

const HOUR = 3_600_000;
const hourOf = (iso: string): string => new Date(Math.floor(Date.parse(iso) / HOUR) * HOUR).toISOString();

/** Combines an interval's aggregate into a coarser one (sums kept, so mean and RMS stay exact). */
const fold = (into: Agg | undefined, p: TelemetryPoint, at: string): Agg => {
  const sum = p.mean * p.count;
  const sumSq = p.rms * p.rms * p.count;
  if (!into) return { count: p.count, min: p.min, max: p.max, sum, sumSq, last: p.last, lastAt: at };
  return {
    count: into.count + p.count,
    min: Math.min(into.min, p.min),
    max: Math.max(into.max, p.max),
    sum: into.sum + sum,
    sumSq: into.sumSq + sumSq,
    ...(at >= into.lastAt ? { last: p.last, lastAt: at } : { last: into.last, lastAt: into.lastAt }),
  };
};

/** The point a coarse slot shows. */
export const pointOf = (start: string, a: Agg): TelemetryPoint => ({
  start,
  count: a.count,
  min: a.min,
  max: a.max,
  mean: Math.round((a.sum / a.count) * 1e6) / 1e6,
  rms: Math.round(Math.sqrt(a.sumSq / a.count) * 1e6) / 1e6,
  last: a.last,
});

/**
 * Telemetry as a time series per machine and signal, at three resolutions: each interval as the
 * devices' pipeline recorded it (in a document per hour), per hour (a document per local day) and per
 * local day (a document per month). Intervals and hours older than their retention behind the series'
 * newest interval are dropped as the series moves on (by device time, so a rebuild drops the same).
 */
export const telemetryProjection = (
  timeZone: string,
  retention: TelemetryRetention = DEFAULT_TELEMETRY_RETENTION,
): Projection => ({
  name: 'telemetry',
  version: 1,
  collections: { series: { indexes: ['machineId'] }, buckets: { indexes: ['key'] } },
  eventTypes: ['TelemetryRecorded'],
  async apply(event, ctx) {
    if (event.type !== 'TelemetryRecorded') return;
    const { machineId, intervalStart, intervalEnd, signals } = event.data;
    for (const s of signals) {
      const key = `${machineId}|${s.signal}`;
      const point: TelemetryPoint = {
        start: intervalStart,
        count: s.count,
        min: s.min,
        max: s.max,
        mean: s.mean,
        rms: s.rms,
        last: s.last,
      };
      const hour = hourOf(intervalStart);
      const day = localDate(intervalStart, timeZone);
      const month = day.slice(0, 7);
      await slot(ctx, key, 'interval', hour, intervalStart, (into) => (into ? undefined : point));
      await slot(ctx, key, 'hour', day, hour, (into) => fold(into as Agg | undefined, point, intervalEnd));
      await slot(ctx, key, 'day', month, day, (into) => fold(into as Agg | undefined, point, intervalEnd));
      let prune: { interval: string[]; hour: string[] } = { interval: [], hour: [] };
      await ctx.update('series', key, (doc) => {
        const newest =
          doc && (doc['lastInterval'] as string) > intervalStart ? (doc['lastInterval'] as string) : intervalStart;
        const kept = {
          interval: hourOf(new Date(Date.parse(newest) - retention.intervalHours * HOUR).toISOString()),
          hour: localDate(Date.parse(newest) - retention.hourlyHours * HOUR, timeZone),
        };
        const pruned = (doc?.['pruned'] as { interval?: string; hour?: string } | undefined) ?? {};
        // the documents from the last pruning up to the retention's edge go now
        prune = {
          interval: ((doc?.['intervalDocs'] as string[] | undefined) ?? []).filter((b) => b < kept.interval),
          hour: ((doc?.['hourDocs'] as string[] | undefined) ?? []).filter((b) => b < kept.hour),
        };
        const intervalDocs = [...new Set([...((doc?.['intervalDocs'] as string[] | undefined) ?? []), hour])]
          .filter((b) => b >= kept.interval)
          .sort();
        const hourDocs = [...new Set([...((doc?.['hourDocs'] as string[] | undefined) ?? []), day])]
          .filter((b) => b >= kept.hour)
          .sort();
        return {
          _id: key,
          machineId,
          signal: s.signal,
          firstInterval: doc?.['firstInterval'] ?? intervalStart,
          lastInterval: newest,
          last: newest === intervalStart ? s.last : doc?.['last'],
          intervalDocs,
          hourDocs,
          pruned: {
            ...pruned,
            ...(prune.interval.length ? { interval: kept.interval } : {}),
            ...(prune.hour.length ? { hour: kept.hour } : {}),
          },
        };
      });
      for (const bucket of prune.interval) await ctx.update('buckets', `${key}|interval|${bucket}`, () => null);
      for (const bucket of prune.hour) await ctx.update('buckets', `${key}|hour|${bucket}`, () => null);
    }
  },
});

/** Sets one slot of a bucket document (`key|resolution|bucket`), creating the document when needed. */
const slot = async (
  ctx: ProjectionContext,
  key: string,
  resolution: 'interval' | 'hour' | 'day',
  bucket: string,
  at: string,
  change: (into: unknown) => unknown,
): Promise<void> =>
  ctx.update('buckets', `${key}|${resolution}|${bucket}`, (doc) => {
    const slots = (doc?.['slots'] as Record<string, unknown> | undefined) ?? {};
    const next = change(slots[at]);
    if (next === undefined) return undefined;
    return { _id: `${key}|${resolution}|${bucket}`, key, resolution, bucket, slots: { ...slots, [at]: next } };
  });

/** The time series the telemetry read model answers, at a resolution, over [from, to). */
export const telemetryQueries = (
  reads: { all: (collection: string, filter?: Record<string, unknown>) => Promise<Array<Record<string, unknown>>> },
  timeZone: string,
) => ({
  /** A machine's signals: first and newest interval, newest value. */
  signals: async (machineId: string) =>
    (await reads.all('series', { machineId })).map((doc) => ({
      signal: doc['signal'],
      firstInterval: doc['firstInterval'],
      lastInterval: doc['lastInterval'],
      last: doc['last'],
    })),
  async points(
    machineId: string,
    signal: string,
    resolution: 'interval' | 'hour' | 'day',
    from: string,
    to: string,
  ): Promise<TelemetryPoint[]> {
    const first =
      resolution === 'interval'
        ? hourOf(from)
        : resolution === 'hour'
          ? localDate(from, timeZone)
          : localDate(from, timeZone).slice(0, 7);
    const docs = await reads.all('buckets', {
      key: `${machineId}|${signal}`,
      resolution,
      bucket: { $gte: first, $lt: to },
    });
    const points = docs.flatMap((doc) =>
      Object.entries(doc['slots'] as Record<string, unknown>).map(([start, value]) =>
        resolution === 'interval' ? (value as TelemetryPoint) : pointOf(start, value as Agg),
      ),
    );
    const inRange = (start: string): boolean =>
      resolution === 'day'
        ? start >= localDate(from, timeZone) && start < localDate(to, timeZone)
        : start >= from && start < to;
    return points.filter((p) => inRange(p.start)).sort((a, b) => (a.start < b.start ? -1 : 1));
  },
});
