import type { RecordedDomainEvent } from '../../app/eventStore';
import type { Document } from '../../app/readStore';
import { applyReading, UNREAD, type Projection, type ProjectionContext } from '../runner';
import { orderProducts } from './orderProducts';
import { addDays, localDate, zonedInstant } from '../../lib/time';
import { dayEnds } from './dayEnds';

type Operation = { orderId: string; operationId: string };
type Segment = { orderId: string; operationId: string; product: string; from: number; to: number | null };
/** kWh (or ms) per site per local day. */
export type BySiteDay = Record<string, Record<string, number>>;

/** Segments that ended a day before the newest energy reading are no longer needed (readings come within minutes). */
const KEEP_MS = 86_400_000;
/** The site of a machine whose work center names none (the factor for `*` applies). */
export const UNKNOWN_SITE = 'default';

const addTo = (doc: Document, field: string, site: string, day: string, value: number): void => {
  const bySite = (doc[field] as BySiteDay | undefined) ?? {};
  const byDay = (bySite[site] ??= {});
  byDay[day] = (byDay[day] ?? 0) + value;
  doc[field] = bySite;
};

/** [from, to) cut at the zone's local midnights: each piece with its local day. */
export const splitByDay = (
  from: number,
  to: number,
  timeZone: string,
  endOf: (date: string) => number = (date) => zonedInstant(addDays(date, 1), '00:00', timeZone),
): Array<{ day: string; ms: number }> => {
  const pieces: Array<{ day: string; ms: number }> = [];
  for (let start = from; start < to;) {
    const day = localDate(start, timeZone);
    const end = Math.min(to, endOf(day));
    pieces.push({ day, ms: end - start });
    start = end;
  }
  return pieces;
};

/**
 * Energy and carbon, per site and local day so the factor of each site and day applies when read.
 * A machine's energy over an interval goes to the operations running on it, pro rata by time
 * (operations at once share it). What they leave (the machine idle, in setup or down) goes to the
 * operations of its work center started without a machine, by their run time in the interval (such an
 * operation ran on one of the work center's machines, unbooked). The rest is the machine's overhead,
 * reported beside the direct figures; the queries can allocate a day's overhead to the orders that
 * ran that day by their run time (closed operation segments, per site and day).
 */
export const carbonProjection = (timeZone: string): Projection => {
  const endOf = dayEnds(timeZone);
  return {
    name: 'carbon',
    version: 2,
    collections: {
      orders: { indexes: ['product', 'status'] },
      machines: {},
      workCenters: {},
      days: {},
      segments: {},
      operationMachines: {},
      ...orderProducts.collection,
    },
    eventTypes: [
      ...orderProducts.eventTypes,
      'MachineRegistered',
      'WorkCenterDefined',
      'WorkCenterRevised',
      'OperationStarted',
      'OperationPaused',
      'OperationResumed',
      'OperationCompleted',
      'OrderCompleted',
      'EnergyMeasured',
    ],
    apply(event, ctx) {
      const tracked = orderProducts.track(event, ctx);
      if (tracked) return tracked;
      // energy readings (most of its events): read first, then written, without an await when their
      // documents are in memory (always, in a rebuild)
      if (event.type === 'EnergyMeasured') return applyReading(ctx, () => energyMeasured(event, ctx, timeZone));
      return applyOther(event, ctx);
    },
  };
  async function applyOther(event: RecordedDomainEvent, ctx: ProjectionContext): Promise<void> {
    const opKey = (op: Operation) => `${op.orderId}/${op.operationId}`;
    /** Where an operation's segments live: its machine's list, or its work center's (`wc:`) without one. */
    const holderOf = async (op: Operation) =>
      (await ctx.get('operationMachines', opKey(op)))?.['holder'] as string | undefined;
    const segments = (holder: string, change: (list: Segment[]) => void) =>
      ctx.update('segments', holder, (doc) => {
        const next = doc ?? { _id: holder, list: [] };
        change(next['list'] as Segment[]);
        return next;
      });
    const open = async (op: Operation, holder: string, at: string) => {
      const product = (await orderProducts.of(ctx, op.orderId)) ?? 'unknown';
      await segments(holder, (list) =>
        list.push({ orderId: op.orderId, operationId: op.operationId, product, from: Date.parse(at), to: null }),
      );
    };
    const close = async (op: Operation, at: string) => {
      const holder = await holderOf(op);
      if (!holder) return;
      const site = await siteOfHolder(ctx, holder);
      const closed: Segment[] = [];
      await segments(holder, (list) =>
        list
          .filter((s) => s.orderId === op.orderId && s.operationId === op.operationId && s.to === null)
          .forEach((s) => {
            s.to = Math.max(s.from, Date.parse(at));
            closed.push(s);
          }),
      );
      // run time per site and day, the key of the overhead allocation
      for (const s of closed)
        for (const { day, ms } of splitByDay(s.from, s.to as number, timeZone, endOf)) {
          await ctx.update('orders', s.orderId, (doc) => {
            const next = doc ?? newOrder(s.orderId, s.product);
            addTo(next, 'runMs', site, day, ms);
            return next;
          });
          await ctx.update('days', day, (doc) => {
            const next = doc ?? newDay(day);
            addTo(next, 'runMs', site, day, ms);
            return next;
          });
        }
    };
    switch (event.type) {
      case 'MachineRegistered': {
        const { machineId, workCenter } = event.data;
        return ctx.update('machines', machineId, (doc) =>
          Object.assign(doc ?? { _id: machineId, machineId, kWh: {}, overheadKWh: {} }, { workCenter }),
        );
      }
      case 'WorkCenterDefined':
      case 'WorkCenterRevised': {
        const { code, record } = event.data;
        await ctx.update('workCenters', code, () => ({ _id: code, site: record.site }));
        // machines the work center lists belong to it (and so to its site) too
        for (const machineId of record.machines ?? [])
          await ctx.update('machines', machineId, (doc) =>
            Object.assign(doc ?? { _id: machineId, machineId, kWh: {}, overheadKWh: {} }, { workCenter: code }),
          );
        return;
      }
      case 'OperationStarted': {
        const { machineId, workCenter, startedAt } = event.data;
        const holder = machineId ?? `wc:${workCenter}`;
        await ctx.update('operationMachines', opKey(event.data), () => ({ _id: opKey(event.data), holder }));
        return open(event.data, holder, startedAt);
      }
      case 'OperationResumed': {
        const holder = await holderOf(event.data);
        return holder ? open(event.data, holder, event.data.resumedAt) : undefined;
      }
      case 'OperationPaused':
        return close(event.data, event.data.pausedAt);
      case 'OperationCompleted':
        return close(event.data, event.data.completedAt);
      case 'OrderCompleted': {
        const { orderId, product, good } = event.data;
        return ctx.update('orders', orderId, (doc) =>
          Object.assign(doc ?? newOrder(orderId, product), { product, status: 'completed', goodUnits: good }),
        );
      }
      default:
        return;
    }
  }
};

/**
 * An energy reading, for `applyReading`: read first with `peek` (the machine, its work center, the
 * segments of both, the orders given a share, the day), then written, each write done at once. UNREAD,
 * before anything is written, when a document must first be read from the store.
 */
const energyMeasured = (
  event: Extract<RecordedDomainEvent, { type: 'EnergyMeasured' }>,
  ctx: ProjectionContext,
  timeZone: string,
): void | typeof UNREAD => {
  const { machineId, kWh } = event.data;
  const from = Date.parse(event.data.intervalStart);
  const to = Date.parse(event.data.intervalEnd);
  const day = localDate(from, timeZone);
  const machine = ctx.peek('machines', machineId);
  if (machine === UNREAD) return UNREAD;
  const workCenter = machine?.['workCenter'] as string | undefined;
  const center = workCenter ? ctx.peek('workCenters', workCenter) : undefined;
  if (center === UNREAD) return UNREAD;
  const site = workCenter ? ((center?.['site'] as string | undefined) ?? UNKNOWN_SITE) : UNKNOWN_SITE;
  const mine = ctx.peek('segments', machineId);
  if (mine === UNREAD) return UNREAD;
  const unbookedAt = workCenter ? `wc:${workCenter}` : undefined;
  const theirs = unbookedAt ? ctx.peek('segments', unbookedAt) : undefined;
  if (theirs === UNREAD) return UNREAD;
  if (ctx.peek('days', day) === UNREAD) return UNREAD;
  const length = Math.max(1, to - from);
  const own = overlapsOf(mine, from, to);
  const unbooked = unbookedAt ? overlapsOf(theirs, from, to) : [];
  for (const { segment } of own) if (ctx.peek('orders', segment.orderId) === UNREAD) return UNREAD;
  for (const { segment } of unbooked) if (ctx.peek('orders', segment.orderId) === UNREAD) return UNREAD;
  const give = (segment: Segment, share: number) =>
    void ctx.update('orders', segment.orderId, (doc) => {
      const next = doc ?? newOrder(segment.orderId, segment.product);
      addTo(next, 'kWh', site, day, share);
      return next;
    });
  const covered = own.reduce((sum, s) => sum + s.overlap, 0);
  let attributed = 0;
  for (const { segment, overlap } of own) {
    const share = (kWh * overlap) / Math.max(length, covered);
    attributed += share;
    give(segment, share);
  }
  // what the machine's own operations leave goes to its work center's machine-less operations
  const left = kWh - attributed;
  if (workCenter && left > 0) {
    const unbookedTime = unbooked.reduce((sum, s) => sum + s.overlap, 0);
    for (const { segment, overlap } of unbooked) {
      const share = (left * overlap) / Math.max(length, unbookedTime);
      attributed += share;
      give(segment, share);
    }
  }
  const overhead = kWh - attributed;
  void ctx.update('machines', machineId, (doc) => {
    const next = doc ?? { _id: machineId, machineId, kWh: {}, overheadKWh: {} };
    addTo(next, 'kWh', site, day, kWh);
    addTo(next, 'overheadKWh', site, day, overhead);
    return next;
  });
  void ctx.update('days', day, (doc) => {
    const next = doc ?? newDay(day);
    addTo(next, 'kWh', site, day, kWh);
    addTo(next, 'overheadKWh', site, day, overhead);
    return next;
  });
  // forget segments long finished, so the documents stay small
  const kept = (s: Segment) => s.to === null || s.to > to - KEEP_MS;
  for (const [holder, doc] of [[machineId, mine] as const, ...(unbookedAt ? [[unbookedAt, theirs] as const] : [])])
    if (doc)
      void ctx.update('segments', holder, (found) => {
        const next = found ?? { _id: holder, list: [] };
        const segs = next['list'] as Segment[];
        if (!segs.every(kept)) segs.splice(0, segs.length, ...segs.filter(kept));
        return next;
      });
  return;
};

/** The segments of a holder's list that overlap [from, to), with the overlap. */
const overlapsOf = (doc: Document | undefined, from: number, to: number) => {
  const found: Array<{ segment: Segment; overlap: number }> = [];
  for (const segment of (doc?.['list'] as Segment[] | undefined) ?? []) {
    const overlap = Math.max(0, Math.min(to, segment.to ?? to) - Math.max(from, segment.from));
    if (overlap > 0) found.push({ segment, overlap });
  }
  return found;
};

const newOrder = (orderId: string, product: string): Document => ({
  _id: orderId,
  orderId,
  product,
  status: 'open',
  goodUnits: 0,
  kWh: {},
  runMs: {},
});
const newDay = (day: string): Document => ({ _id: day, day, kWh: {}, overheadKWh: {}, runMs: {} });

/** The site of a machine (through its work center) or of a work center (`wc:<code>`). */
const siteOfHolder = async (ctx: ProjectionContext, holder: string): Promise<string> => {
  const workCenter = holder.startsWith('wc:')
    ? holder.slice(3)
    : ((await ctx.get('machines', holder))?.['workCenter'] as string | undefined);
  if (!workCenter) return UNKNOWN_SITE;
  return ((await ctx.get('workCenters', workCenter))?.['site'] as string | undefined) ?? UNKNOWN_SITE;
};
