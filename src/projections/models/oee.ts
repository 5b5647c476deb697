import type { RecordedDomainEvent } from '../../app/eventStore';
import type { Document } from '../../app/readStore';
import { localDate } from '../../lib/time';
import { dayEnds } from './dayEnds';
import { applyReading, UNREAD, type Projection, type ProjectionContext } from '../runner';
import { orderProducts } from './orderProducts';
import type { CountEntry, StateSegment } from './oeeCalc';

/**
 * What OEE is computed from, kept as facts so the figures can be computed when asked (the calendar
 * in force, the open state up to now): per machine and local day, its state segments (cut at
 * midnight) and its count entries (device counts, operator reports, inspection rejects); each
 * machine's current state, ideal cycles and work center; work centers' line and site; the
 * calendar versions set through the API. A machine's day is kept in parts (`dayPartId`).
 */
export const oeeProjection = (timeZone: string, options: { partItems?: number } = {}): Projection => {
  const endOf = dayEnds(timeZone);
  const partItems = options.partItems ?? PART_ITEMS;
  return {
    name: 'oee',
    // 3: a machine's day in parts of at most PART_ITEMS segments or entries
    version: 3,
    collections: {
      machines: { indexes: ['workCenter'] },
      states: { indexes: ['machineId', 'date'] },
      counts: { indexes: ['machineId', 'date'] },
      workCenters: {},
      calendars: {},
      operations: {},
      ...orderProducts.collection,
    },
    eventTypes: [
      ...orderProducts.eventTypes,
      'MachineRegistered',
      'OperationStarted',
      'MachineStateChanged',
      'ProductionCounted',
      'OperationQuantityReported',
      'InspectionFailed',
      'WorkCenterDefined',
      'WorkCenterRevised',
      'CalendarVersionSet',
    ],
    apply(event, ctx) {
      const tracked = orderProducts.track(event, ctx);
      if (tracked) return tracked;
      switch (event.type) {
        case 'MachineStateChanged':
        case 'ProductionCounted':
        case 'OperationQuantityReported':
        case 'InspectionFailed':
          // the frequent events: read first, then written, without an await when their documents are in
          // memory (always, in a rebuild)
          return applyReading(ctx, () => applyFacts(event, ctx, timeZone, endOf, partItems));
        default:
          return applyOther(event, ctx);
      }
    },
  };
  async function applyOther(event: RecordedDomainEvent, ctx: ProjectionContext): Promise<void> {
    switch (event.type) {
      case 'MachineRegistered': {
        const { machineId, idealCycleSeconds, workCenter, registeredAt } = event.data;
        return ctx.update('machines', machineId, () => ({
          _id: machineId,
          machineId,
          workCenter,
          registeredAt,
          ideal: Object.fromEntries(idealCycleSeconds.map((i) => [i.product, i.seconds])),
          product: null,
          state: 'idle',
          since: registeredAt,
          reason: null,
          setupEndedAt: null,
        }));
      }
      case 'OperationStarted': {
        const { machineId, orderId, operationId } = event.data;
        if (!machineId) return;
        const product = await orderProducts.of(ctx, orderId);
        await ctx.update('operations', `${orderId}|${operationId}`, () => ({
          _id: `${orderId}|${operationId}`,
          machineId,
        }));
        await ctx.update('operations', `${orderId}|`, () => ({ _id: `${orderId}|`, machineId }));
        return ctx.update('machines', machineId, (doc) => doc && Object.assign(doc, { product: product ?? null }));
      }
      case 'WorkCenterDefined':
      case 'WorkCenterRevised': {
        const { code, record } = event.data;
        return ctx.update('workCenters', code, () => ({ _id: code, site: record.site, line: record.line ?? null }));
      }
      case 'CalendarVersionSet': {
        const { scope, id, version, effectiveFrom, calendar } = event.data;
        const key = `${scope}|${id}|${version}`;
        return ctx.update('calendars', key, () => ({ _id: key, scope, id, version, effectiveFrom, calendar }));
      }
      default:
        return;
    }
  }
};

/**
 * Machine states and counts (device counts, operator reports, inspection rejects), for `applyReading`:
 * every document read first, with `peek`, then written (each write done at once). UNREAD, before
 * anything is written, when a document must first be read from the store.
 */
const applyFacts = (
  event: RecordedDomainEvent,
  ctx: ProjectionContext,
  timeZone: string,
  endOf: (date: string) => number,
  partItems: number,
): void | typeof UNREAD => {
  switch (event.type) {
    case 'MachineStateChanged': {
      const { machineId, previous, state, changedAt, previousSeconds, reasonCode } = event.data;
      const machine = ctx.peek('machines', machineId);
      if (machine === UNREAD) return UNREAD;
      if (!machine) return;
      const to = Date.parse(changedAt);
      const from = to - previousSeconds * 1000;
      const reason = (machine['reason'] as string | null) ?? null;
      // the day's pieces as addSegment cuts them, every one's parts read before any is written
      const pieces: Array<{ slot: DaySlot; item: StateSegment }> = [];
      for (let start = from; start < to;) {
        const date = localDate(start, timeZone);
        const end = Math.min(to, endOf(date));
        const slot = slotOf(ctx, partItems, 'states', 'segments', machineId, date);
        if (slot === UNREAD) return UNREAD;
        pieces.push({ slot, item: [start, end, previous, reason] });
        start = end;
      }
      for (const { slot, item } of pieces) appendNow(ctx, slot, item);
      void ctx.update('machines', machineId, (doc) =>
        doc
          ? Object.assign(doc, {
              state,
              since: changedAt,
              reason: reasonCode ?? null,
              ...(previous === 'setup' && state !== 'setup' ? { setupEndedAt: changedAt } : {}),
            })
          : doc,
      );
      return;
    }
    case 'ProductionCounted': {
      const { machineId, total } = event.data;
      const machine = ctx.peek('machines', machineId);
      if (machine === UNREAD) return UNREAD;
      if (!machine) return;
      const at = Math.floor((Date.parse(event.data.intervalStart) + Date.parse(event.data.intervalEnd)) / 2);
      const product = event.data.product ?? (machine['product'] as string | null);
      const rejects = event.data.good === undefined ? 0 : Math.max(0, total - event.data.good);
      const slot = slotOf(ctx, partItems, 'counts', 'entries', machineId, localDate(at, timeZone));
      if (slot === UNREAD) return UNREAD;
      appendNow(ctx, slot, [at, 'device', product, total, rejects, sinceSetup(machine, at)]);
      return;
    }
    case 'OperationQuantityReported': {
      const { orderId, operationId, good, scrap, rework, scrapReason, reportedAt } = event.data;
      const machineId = event.data.machineId ?? machineOf(ctx, orderId, operationId);
      if (machineId === UNREAD) return UNREAD;
      if (!machineId) return;
      const machine = ctx.peek('machines', machineId);
      if (machine === UNREAD) return UNREAD;
      if (!machine) return;
      const product = orderProducts.peek(ctx, orderId);
      if (product === UNREAD) return UNREAD;
      const at = Date.parse(reportedAt);
      const slot = slotOf(ctx, partItems, 'counts', 'entries', machineId, localDate(at, timeZone));
      if (slot === UNREAD) return UNREAD;
      const startup = scrapReason === 'setup-scrap' ? 0 : null;
      appendNow(ctx, slot, [at, 'operator', product ?? null, good + scrap + rework, scrap + rework, startup]);
      return;
    }
    case 'InspectionFailed': {
      const { orderId, operationId, reason, reinspectionOf, decidedAt } = event.data;
      // a re-inspection looks at the unit already rejected once
      // an incoming inspection (of a received lot, no order) judges no machine's output
      if (reason === 'reinspection' || reinspectionOf || !orderId) return;
      const machineId = machineOf(ctx, orderId, operationId);
      if (machineId === UNREAD) return UNREAD;
      if (!machineId) return;
      const product = event.data.product ?? orderProducts.peek(ctx, orderId);
      if (product === UNREAD) return UNREAD;
      const at = Date.parse(decidedAt);
      const slot = slotOf(ctx, partItems, 'counts', 'entries', machineId, localDate(at, timeZone));
      if (slot === UNREAD) return UNREAD;
      appendNow(ctx, slot, [at, 'inspection', product ?? null, 0, 1, null]);
      return;
    }
    default:
      return;
  }
};

/** Seconds since the machine's last set-up ended (0 while in set-up); null when it never had one. */
const sinceSetup = (machine: Document, at: number): number | null => {
  if (machine['state'] === 'setup') return 0;
  const ended = machine['setupEndedAt'] as string | null;
  return ended ? Math.max(0, (at - Date.parse(ended)) / 1000) : null;
};

/** The machine an order's operation was started on (else the order's last one), as `peek` reads. */
const machineOf = (
  ctx: ProjectionContext,
  orderId: string,
  operationId?: string,
): string | undefined | typeof UNREAD => {
  const operation = operationId ? ctx.peek('operations', `${orderId}|${operationId}`) : undefined;
  if (operation === UNREAD) return UNREAD;
  const booked = operation ?? ctx.peek('operations', `${orderId}|`);
  if (booked === UNREAD) return UNREAD;
  return booked?.['machineId'] as string | undefined;
};

/**
 * Segments or count entries a part of a machine's day holds at most. The day's document
 * `<machineId>|<date>` is its first part and counts the parts (`parts`, absent while one); part k > 1
 * is `dayPartId(dayId, k)`, with the same machineId and date. An event then rewrites one part, not the
 * day: a machine counting every 10 s has 8,640 entries a day, and rewriting them all at each commit
 * made a soak's CPU per request and memory grow with the day.
 */
export const PART_ITEMS = 1_000;

export const dayPartId = (dayId: string, part: number): string => (part === 1 ? dayId : `${dayId}#${part}`);

/** Where an item of a machine's day goes: the day's last part, or the part it begins when that one is full. */
type DaySlot = {
  collection: 'states' | 'counts';
  field: 'segments' | 'entries';
  machineId: string;
  date: string;
  dayId: string;
  part: number;
  begins: boolean;
};

/** The slot of an item of a machine's day, read with `peek` (UNREAD when one needs the store). */
const slotOf = (
  ctx: ProjectionContext,
  partItems: number,
  collection: 'states' | 'counts',
  field: 'segments' | 'entries',
  machineId: string,
  date: string,
): DaySlot | typeof UNREAD => {
  const dayId = `${machineId}|${date}`;
  const day = ctx.peek(collection, dayId);
  if (day === UNREAD) return UNREAD;
  const parts = (day?.['parts'] as number | undefined) ?? 1;
  const last = parts === 1 ? day : ctx.peek(collection, dayPartId(dayId, parts));
  if (last === UNREAD) return UNREAD;
  const begins = ((last?.[field] as unknown[] | undefined)?.length ?? 0) >= partItems;
  // the part it begins is updated too: known absent, or read, before anything is written
  if (begins && ctx.peek(collection, dayPartId(dayId, parts + 1)) === UNREAD) return UNREAD;
  return { collection, field, machineId, date, dayId, part: begins ? parts + 1 : parts, begins };
};

/** Adds an item to its slot, read by slotOf in the same event (each write done at once). */
const appendNow = (ctx: ProjectionContext, slot: DaySlot, item: StateSegment | CountEntry): void => {
  const { collection, field, machineId, date, dayId, part } = slot;
  if (slot.begins) void ctx.update(collection, dayId, (doc) => doc && Object.assign(doc, { parts: part }));
  const id = dayPartId(dayId, part);
  void ctx.update(collection, id, (doc) => {
    const next = doc ?? { _id: id, machineId, date, [field]: [] };
    (next[field] as unknown[]).push(item);
    return next;
  });
};
