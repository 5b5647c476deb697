import { expect } from 'chai';
import type { RecordedDomainEvent } from '../../src/app/eventStore';
import type { PlantConfig } from '../../src/app/plant';
import type { Document, Filter } from '../../src/app/readStore';
import type { Calendar } from '../../src/domain/calendar';
import { oeeProjection } from '../../src/projections/models/oee';
import { createOeeQueries } from '../../src/projections/oeeQueries';
import { type ProjectionContext } from '../../src/projections/runner';

export const TZ = 'Asia/Shanghai'; // UTC+8: 08:00 local is 00:00Z

/** A filter as the read stores read it, enough for the OEE queries: equality and $gte/$lte. */
const matches = (doc: Document, filter: Filter = {}): boolean =>
  Object.entries(filter).every(([field, condition]) => {
    const value = doc[field];
    if (condition !== null && typeof condition === 'object') {
      const c = condition as { $gte?: string; $lte?: string };
      return (c.$gte === undefined || String(value) >= c.$gte) && (c.$lte === undefined || String(value) <= c.$lte);
    }
    return value === condition;
  });

type Fact = { type: string; data: Record<string, unknown> };

/**
 * The OEE read model in memory: events go through the real projection, figures come from the real
 * queries with a clock the test sets. `rebuild()` replays every event into an empty model.
 */
export const createOeeBench = (calendar: Calendar) => {
  const plant: PlantConfig = { timeZone: TZ, shifts: [], emissionFactors: [], calendar };
  const projection = oeeProjection(TZ);
  let docs = new Map<string, Map<string, Document>>();
  const log: Fact[] = [];
  const collection = (name: string) => {
    let c = docs.get(name);
    if (!c) docs.set(name, (c = new Map<string, Document>()));
    return c;
  };
  const apply = async (fact: Fact) => {
    const ctx: ProjectionContext = {
      // the projection reads only type and data; the rest of a recorded event does not matter here
      event: fact as unknown as ProjectionContext['event'],
      get: (name, id) => Promise.resolve(structuredClone(collection(name).get(id))),
      // every document is in memory here
      peek: (name, id) => structuredClone(collection(name).get(id)),
      update: (name, id, change) => {
        const next = change(structuredClone(collection(name).get(id)));
        if (next === null) collection(name).delete(id);
        else if (next !== undefined) collection(name).set(id, next);
        return Promise.resolve();
      },
    };
    await projection.apply(fact as unknown as RecordedDomainEvent, ctx);
  };
  const read = {
    all: (_p: string, name: string, filter?: Filter) =>
      Promise.resolve([...collection(name).values()].filter((d) => matches(d, filter)).map((d) => structuredClone(d))),
    get: (_p: string, name: string, id: string) => Promise.resolve(structuredClone(collection(name).get(id))),
  };
  return {
    async event(type: string, data: Record<string, unknown>) {
      log.push({ type, data });
      await apply({ type, data });
    },
    /** Registers a machine at `at` with its ideal cycles (seconds per unit). */
    register(machineId: string, at: string, ideal: Record<string, number>, workCenter = 'WC-1') {
      return this.event('MachineRegistered', {
        machineId,
        code: machineId,
        name: machineId,
        type: 'lathe',
        workCenter,
        ratedPowerKw: 10,
        idealCycleSeconds: Object.entries(ideal).map(([product, seconds]) => ({ product, seconds })),
        registeredAt: at,
      });
    },
    /** A state change as the machine decider records it (previous and its length from the last one). */
    async state(machineId: string, state: string, at: string, reasonCode?: string) {
      const machine = collection('machines').get(machineId) as Document;
      await this.event('MachineStateChanged', {
        machineId,
        state,
        previous: machine['state'],
        changedAt: at,
        previousSeconds: (Date.parse(at) - Date.parse(machine['since'] as string)) / 1000,
        ...(reasonCode ? { reasonCode } : {}),
      });
    },
    count(machineId: string, from: string, to: string, total: number, good: number, product: string) {
      return this.event('ProductionCounted', { machineId, intervalStart: from, intervalEnd: to, total, good, product });
    },
    queries: (now: string) => createOeeQueries(read, plant, () => Date.parse(now)),
    async rebuild() {
      docs = new Map();
      for (const fact of log) await apply(fact);
    },
  };
};

type Figures = {
  calendarSeconds: number;
  plannedBusySeconds: number;
  runSeconds: number;
  losses: Record<string, number | null>;
};

/** The waterfall adds up: calendar time = every loss + fully productive time; planned busy time its part. */
export const expectWaterfallSums = (f: Figures): void => {
  const l = f.losses;
  const n = (key: string) => l[key] as number;
  const steps = Object.values(l).reduce<number>((sum, v) => sum + (v ?? 0), 0);
  expect(steps).to.be.closeTo(f.calendarSeconds, 1e-6);
  expect(f.calendarSeconds - n('nonWorkingSeconds') - n('plannedStopSeconds') - n('noDemandSeconds')).to.be.closeTo(
    f.plannedBusySeconds,
    1e-6,
  );
  expect(f.plannedBusySeconds - n('breakdownSeconds') - n('setupSeconds') - n('minorStopSeconds')).to.be.closeTo(
    f.runSeconds,
    1e-6,
  );
};
