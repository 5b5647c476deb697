import { emissionFactorFor, gasOf, type EmissionFactor } from '../app/plant';
import type { Document, Filter } from '../app/readStore';
import { NotFoundError } from '../domain/errors';
import type { BySiteDay } from './models/carbon';

const ratio = (numerator: number, denominator: number): number | null =>
  denominator > 0 ? numerator / denominator : null;
const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
const total = (bySite: BySiteDay | undefined): number =>
  sum(Object.values(bySite ?? {}).flatMap((byDay) => Object.values(byDay)));
const cells = (bySite: BySiteDay | undefined) =>
  Object.entries(bySite ?? {}).flatMap(([site, byDay]) =>
    Object.entries(byDay).map(([day, value]) => ({ site, day, value })),
  );
const merge = (a: BySiteDay, b: BySiteDay): BySiteDay => {
  // a copy of a's two levels of plain numbers (structuredClone's serialisation was most of an order's answer)
  const out: BySiteDay = {};
  for (const [site, byDay] of Object.entries(a)) out[site] = { ...byDay };
  for (const { site, day, value } of cells(b)) (out[site] ??= {})[day] = (out[site]?.[day] ?? 0) + value;
  return out;
};

/** Named by what the factors count: kgCo2 when every factor applied is CO2 only, else kgCo2e. */
export type Gas = 'CO2' | 'CO2e' | 'CO2 and CO2e';
const kgName = (gas: Gas): 'kgCo2' | 'kgCo2e' => (gas === 'CO2' ? 'kgCo2' : 'kgCo2e');
/** kgCo2 (and per unit) when every factor applied counts CO2 only; kgCo2e otherwise. */
export type EmissionFigures = {
  kWh: number;
  gas: Gas;
  kgCo2?: number;
  kgCo2e?: number;
  kWhPerUnit?: number | null;
  kgCo2PerUnit?: number | null;
  kgCo2ePerUnit?: number | null;
};

/**
 * Energy and carbon as asked: the factor of each site (through the machine's work center) and local
 * day applies; per-unit figures count completed orders on both sides; overhead is allocated by run time.
 */
export const carbonQueries = (
  read: {
    get: (collection: string, id: string) => Promise<Document | undefined>;
    all: (collection: string, filter?: Filter) => Promise<Document[]>;
  },
  factors: readonly EmissionFactor[],
) => {
  const emissions = (kWh: BySiteDay) => {
    const used = cells(kWh).map(({ site, day, value }) => ({ value, factor: emissionFactorFor(factors, site, day) }));
    const gases = new Set(used.filter((u) => u.value !== 0).map((u) => gasOf(u.factor)));
    const gas: Gas = gases.size > 1 ? 'CO2 and CO2e' : gases.has('CO2e') ? 'CO2e' : 'CO2';
    return { kg: sum(used.map((u) => u.value * u.factor.kgCo2ePerKWh)), gas };
  };
  /** kWh, kg and (with units) per unit, named by the gas. */
  const figures = (kWh: BySiteDay, units?: number): EmissionFigures => {
    const { kg, gas } = emissions(kWh);
    const name = kgName(gas);
    // one of kgCo2 / kgCo2e is set, by the gas
    return {
      kWh: total(kWh),
      [name]: kg,
      gas,
      ...(units === undefined ? {} : { kWhPerUnit: ratio(total(kWh), units), [`${name}PerUnit`]: ratio(kg, units) }),
    };
  };
  const bySite = (kWh: BySiteDay) =>
    Object.keys(kWh)
      .sort()
      .map((site) => ({ site, ...figures({ [site]: kWh[site] ?? {} }) }));
  /**
   * An order's share of overhead: on each site and day it ran, the overhead energy of that site and day
   * times its run time over all orders' run time there.
   */
  const overheadOf = async (order: Document): Promise<BySiteDay> => {
    const share: BySiteDay = {};
    for (const { site, day, value: ms } of cells(order['runMs'] as BySiteDay)) {
      const doc = await read.get('days', day);
      const overhead = (doc?.['overheadKWh'] as BySiteDay | undefined)?.[site]?.[day] ?? 0;
      const runMs = (doc?.['runMs'] as BySiteDay | undefined)?.[site]?.[day] ?? 0;
      if (runMs > 0) (share[site] ??= {})[day] = (overhead * ms) / runMs;
    }
    return share;
  };
  const overheadKg = (o: EmissionFigures): { overheadKgCo2?: number; overheadKgCo2e?: number } =>
    o.kgCo2e === undefined ? { overheadKgCo2: o.kgCo2 ?? 0 } : { overheadKgCo2e: o.kgCo2e };
  const METHOD =
    'overhead (energy of machines idle, in setup or down, not taken by an operation) of each site and local day, allocated to the orders that ran there that day by their run time';

  return {
    order: async (orderId: string) => {
      const doc = await read.get('orders', orderId);
      if (!doc) throw new NotFoundError(`no energy is recorded for order ${orderId}`);
      const kWh = (doc['kWh'] as BySiteDay | undefined) ?? {};
      const units = (doc['goodUnits'] as number | undefined) ?? 0;
      const overhead = await overheadOf(doc);
      return {
        orderId,
        product: doc['product'],
        status: doc['status'],
        goodUnits: units,
        ...figures(kWh, units),
        bySite: bySite(kWh),
        overheadAllocated: { method: METHOD, ...figures(overhead) },
        withOverhead: figures(merge(kWh, overhead), units),
      };
    },
    /** Completed orders only: their kWh over their good units. */
    product: async (product: string) => {
      const orders = await read.all('orders', { product, status: 'completed' });
      if (orders.length === 0) throw new NotFoundError(`no completed order of product ${product} has energy recorded`);
      let kWh: BySiteDay = {};
      let overhead: BySiteDay = {};
      for (const o of orders) {
        kWh = merge(kWh, (o['kWh'] as BySiteDay | undefined) ?? {});
        overhead = merge(overhead, await overheadOf(o));
      }
      const units = sum(orders.map((o) => (o['goodUnits'] as number | undefined) ?? 0));
      return {
        product,
        completedOrders: orders.length,
        units,
        ...figures(kWh, units),
        overheadAllocated: { method: METHOD, ...figures(overhead) },
        withOverhead: figures(merge(kWh, overhead), units),
      };
    },
    machine: async (machineId: string) => {
      const doc = await read.get('machines', machineId);
      if (!doc) throw new NotFoundError(`no energy is recorded for machine ${machineId}`);
      const kWh = (doc['kWh'] as BySiteDay | undefined) ?? {};
      const overhead = (doc['overheadKWh'] as BySiteDay | undefined) ?? {};
      const o = figures(overhead);
      return {
        machineId,
        workCenter: doc['workCenter'] ?? null,
        sites: Object.keys(kWh).sort(),
        ...figures(kWh),
        overheadKWh: o.kWh,
        ...overheadKg(o),
      };
    },
    day: async (day: string) => {
      const doc = await read.get('days', day);
      const kWh = (doc?.['kWh'] as BySiteDay | undefined) ?? {};
      const overhead = (doc?.['overheadKWh'] as BySiteDay | undefined) ?? {};
      return {
        day,
        ...figures(kWh),
        overheadKWh: total(overhead),
        sites: Object.keys(kWh)
          .sort()
          .map((site) => ({
            site,
            ...figures({ [site]: kWh[site] ?? {} }),
            overheadKWh: total({ [site]: overhead[site] ?? {} }),
            factor: emissionFactorFor(factors, site, day),
          })),
      };
    },
  };
};
