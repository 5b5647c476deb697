import type { Document } from '../../app/readStore';
import type { Projection } from '../runner';
import { orderProducts } from './orderProducts';
import { localDate } from '../../lib/time';

type Operation = { orderId: string; operationId: string };
type Segment = { orderId: string; operationId: string; product: string; from: number; to: number | null };

/** Segments that ended a day before the newest energy reading are no longer needed (readings come within minutes). */
const KEEP_MS = 86_400_000;

const addByDay = (doc: Document, field: string, day: string, kWh: number): void => {
  const byDay = (doc[field] as Record<string, number> | undefined) ?? {};
  byDay[day] = (byDay[day] ?? 0) + kWh;
  doc[field] = byDay;
};

/**
 * Energy and carbon. A machine's energy over an interval is shared among the operations running on
 * it in that interval, pro rata by time (overlapping operations share it); what no operation covers
 * (idle, down, setup) is the machine's overhead. kWh are kept per local day, so kg CO2e is computed
 * when read, with the factor of each day: a new factor re-projects past figures.
 */
export const carbonProjection = (timeZone: string): Projection => ({
  name: 'carbon',
  version: 1,
  collections: {
    orders: {},
    products: {},
    machines: {},
    days: {},
    segments: {},
    operationMachines: {},
    ...orderProducts.collection,
  },
  eventTypes: [
    ...orderProducts.eventTypes,
    'OperationStarted',
    'OperationPaused',
    'OperationResumed',
    'OperationCompleted',
    'OrderCompleted',
    'EnergyMeasured',
  ],
  async apply(event, ctx) {
    if (await orderProducts.track(event, ctx)) return;
    const opKey = (op: Operation) => `${op.orderId}/${op.operationId}`;
    const machineOf = async (op: Operation): Promise<string | undefined> =>
      (await ctx.get('operationMachines', opKey(op)))?.['machineId'] as string | undefined;
    const segments = (machineId: string, change: (list: Segment[]) => void) =>
      ctx.update('segments', machineId, (doc) => {
        const next = doc ?? { _id: machineId, list: [] };
        change(next['list'] as Segment[]);
        return next;
      });
    const open = async (op: Operation, machineId: string, at: string) => {
      const product = (await orderProducts.of(ctx, op.orderId)) ?? 'unknown';
      await segments(machineId, (list) =>
        list.push({ orderId: op.orderId, operationId: op.operationId, product, from: Date.parse(at), to: null }),
      );
    };
    const close = async (op: Operation, at: string) => {
      const machineId = await machineOf(op);
      if (!machineId) return;
      await segments(machineId, (list) =>
        list
          .filter((s) => s.orderId === op.orderId && s.operationId === op.operationId && s.to === null)
          .forEach((s) => (s.to = Date.parse(at))),
      );
    };
    switch (event.type) {
      case 'OperationStarted': {
        const { machineId, startedAt } = event.data;
        if (!machineId) return;
        await ctx.update('operationMachines', opKey(event.data), () => ({ _id: opKey(event.data), machineId }));
        return open(event.data, machineId, startedAt);
      }
      case 'OperationResumed': {
        const machineId = await machineOf(event.data);
        return machineId ? open(event.data, machineId, event.data.resumedAt) : undefined;
      }
      case 'OperationPaused':
        return close(event.data, event.data.pausedAt);
      case 'OperationCompleted':
        return close(event.data, event.data.completedAt);
      case 'OrderCompleted': {
        const { orderId, product, good } = event.data;
        await ctx.update('orders', orderId, (doc) =>
          Object.assign(doc ?? { _id: orderId, orderId, product, kWhByDay: {} }, { goodUnits: good }),
        );
        return ctx.update('products', product, (doc) => {
          const next = doc ?? { _id: product, product, kWhByDay: {}, units: 0 };
          next['units'] = (next['units'] as number) + good;
          return next;
        });
      }
      case 'EnergyMeasured': {
        const { machineId, kWh } = event.data;
        const from = Date.parse(event.data.intervalStart);
        const to = Date.parse(event.data.intervalEnd);
        const day = localDate(from, timeZone);
        const list = (((await ctx.get('segments', machineId))?.['list'] as Segment[] | undefined) ?? []).map((s) => ({
          segment: s,
          overlap: Math.max(0, Math.min(to, s.to ?? to) - Math.max(from, s.from)),
        }));
        const covered = list.reduce((sum, s) => sum + s.overlap, 0);
        const denominator = Math.max(to - from, covered);
        let attributed = 0;
        for (const { segment, overlap } of list) {
          if (overlap <= 0) continue;
          const share = (kWh * overlap) / denominator;
          attributed += share;
          await ctx.update('orders', segment.orderId, (doc) => {
            const next = doc ?? {
              _id: segment.orderId,
              orderId: segment.orderId,
              product: segment.product,
              kWhByDay: {},
              goodUnits: 0,
            };
            addByDay(next, 'kWhByDay', day, share);
            return next;
          });
          await ctx.update('products', segment.product, (doc) => {
            const next = doc ?? { _id: segment.product, product: segment.product, kWhByDay: {}, units: 0 };
            addByDay(next, 'kWhByDay', day, share);
            return next;
          });
        }
        const overhead = kWh - attributed;
        await ctx.update('machines', machineId, (doc) => {
          const next = doc ?? { _id: machineId, machineId, kWhByDay: {}, overheadKWhByDay: {} };
          addByDay(next, 'kWhByDay', day, kWh);
          addByDay(next, 'overheadKWhByDay', day, overhead);
          return next;
        });
        await ctx.update('days', day, (doc) => {
          const next = doc ?? { _id: day, day, kWh: 0, overheadKWh: 0 };
          next['kWh'] = (next['kWh'] as number) + kWh;
          next['overheadKWh'] = (next['overheadKWh'] as number) + overhead;
          return next;
        });
        // forget segments long finished, so the document stays small
        return segments(machineId, (segs) => {
          const keep = segs.filter((s) => s.to === null || s.to > to - KEEP_MS);
          segs.splice(0, segs.length, ...keep);
        });
      }
      default:
        return;
    }
  },
});
