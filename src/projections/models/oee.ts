import type { Document } from '../../app/readStore';
import type { Projection } from '../runner';
import { orderProducts } from './orderProducts';
import { shiftLengthSeconds, shiftOverlaps, type Shift } from '../../lib/time';

const STATE_FIELDS: Record<string, string> = {
  running: 'runningSeconds',
  idle: 'idleSeconds',
  setup: 'setupSeconds',
  down: 'downSeconds',
  maintenance: 'maintenanceSeconds',
};

const bucket = (doc: Document | undefined, base: Record<string, unknown>): Document =>
  doc ?? {
    _id: '',
    ...base,
    runningSeconds: 0,
    idleSeconds: 0,
    setupSeconds: 0,
    downSeconds: 0,
    maintenanceSeconds: 0,
    total: 0,
    good: 0,
    idealSeconds: 0,
  };

const addTo = (doc: Document, field: string, value: number): void => {
  doc[field] = (doc[field] as number) + value;
};

/**
 * OEE inputs per machine per shift and per day (plant time zone): seconds in each state, counts, and
 * ideal time (ideal cycle time of the product running x count). A state's time is split across shift
 * boundaries; a count interval goes to the shift of its midpoint. Ratios are computed when read.
 */
export const oeeProjection = (timeZone: string, shifts: readonly Shift[]): Projection => ({
  name: 'oee',
  version: 1,
  collections: {
    shifts: { indexes: ['machineId', 'date'] },
    days: { indexes: ['machineId', 'date'] },
    machines: {},
    ...orderProducts.collection,
  },
  eventTypes: [
    ...orderProducts.eventTypes,
    'MachineRegistered',
    'OperationStarted',
    'MachineStateChanged',
    'ProductionCounted',
  ],
  async apply(event, ctx) {
    if (await orderProducts.track(event, ctx)) return;
    const spread = async (
      machineId: string,
      fromMs: number,
      toMs: number,
      add: (doc: Document, share: number) => void,
    ) => {
      for (const overlap of shiftOverlaps(fromMs, toMs, shifts, timeZone)) {
        const share = overlap.seconds;
        const base = { machineId, date: overlap.date };
        await ctx.update('shifts', `${machineId}|${overlap.date}|${overlap.shift.name}`, (doc) => {
          const next = bucket(doc, { ...base, shift: overlap.shift.name, plannedSeconds: overlap.lengthSeconds });
          add(next, share);
          return next;
        });
        await ctx.update('days', `${machineId}|${overlap.date}`, (doc) => {
          const next = bucket(doc, {
            ...base,
            plannedSeconds: shifts.reduce((sum, s) => sum + shiftLengthSeconds(overlap.date, s, timeZone), 0),
          });
          add(next, share);
          return next;
        });
      }
    };
    switch (event.type) {
      case 'MachineRegistered': {
        const { machineId, idealCycleSeconds } = event.data;
        return ctx.update('machines', machineId, () => ({
          _id: machineId,
          ideal: Object.fromEntries(idealCycleSeconds.map((i) => [i.product, i.seconds])),
          product: null,
        }));
      }
      case 'OperationStarted': {
        const { machineId, orderId } = event.data;
        if (!machineId) return;
        const product = await orderProducts.of(ctx, orderId);
        return ctx.update('machines', machineId, (doc) => doc && Object.assign(doc, { product }));
      }
      case 'MachineStateChanged': {
        const { machineId, previous, changedAt, previousSeconds } = event.data;
        const field = STATE_FIELDS[previous];
        const to = Date.parse(changedAt);
        if (!field) return;
        return spread(machineId, to - previousSeconds * 1000, to, (doc, seconds) => addTo(doc, field, seconds));
      }
      case 'ProductionCounted': {
        const { machineId, total } = event.data;
        const from = Date.parse(event.data.intervalStart);
        const to = Date.parse(event.data.intervalEnd);
        const machine = await ctx.get('machines', machineId);
        const product = event.data.product ?? (machine?.['product'] as string | undefined);
        const ideal = (machine?.['ideal'] as Record<string, number> | undefined) ?? {};
        const cycle = (product ? ideal[product] : undefined) ?? Object.values(ideal)[0] ?? 0;
        const good = event.data.good ?? total;
        const middle = Math.floor((from + to) / 2);
        return spread(machineId, middle, middle + 1, (doc) => {
          addTo(doc, 'total', total);
          addTo(doc, 'good', good);
          addTo(doc, 'idealSeconds', cycle * total);
        });
      }
      default:
        return;
    }
  },
});
