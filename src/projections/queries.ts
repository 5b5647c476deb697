import { emissionFactorFor, type PlantConfig } from '../app/plant';
import type { Document, Filter, FindOptions, Page, ReadStore } from '../app/readStore';
import { NotFoundError } from '../domain/errors';
import { masterDataQueries } from './masterDataQueries';

const ratio = (numerator: number, denominator: number): number | null =>
  denominator > 0 ? numerator / denominator : null;
const num = (doc: Document, field: string): number => (doc[field] as number | undefined) ?? 0;
const HOUR = 3600;

/**
 * What analysts ask of the read models. Figures that depend on the clock (late, age) or on
 * configuration (kg CO2e) are computed here, when asked, from what the projections stored.
 */
export const createReadModelQueries = (
  readStore: ReadStore,
  plant: PlantConfig,
  clock: () => Date = () => new Date(),
) => {
  // the active namespace changes only at a takeover: looked up at most once a second per projection
  const actives = new Map<string, { namespace: string; until: number }>();
  const namespace = async (projection: string): Promise<string> => {
    const cached = actives.get(projection);
    if (cached && cached.until > Date.now()) return cached.namespace;
    const active = await readStore.active(projection);
    if (!active) throw new NotFoundError(`read model ${projection} is not built yet`);
    actives.set(projection, { namespace: active, until: Date.now() + 1000 });
    return active;
  };
  const get = async (projection: string, collection: string, id: string) =>
    readStore.get(await namespace(projection), collection, id);
  const find = async (projection: string, collection: string, options: FindOptions = {}) =>
    readStore.find(await namespace(projection), collection, options);
  const all = async (projection: string, collection: string, filter?: Filter): Promise<Document[]> => {
    const items: Document[] = [];
    for (let page: Page | undefined = await find(projection, collection, { filter, limit: 1000 }); page;) {
      items.push(...page.items);
      page = page.nextCursor
        ? await find(projection, collection, { filter, limit: 1000, cursor: page.nextCursor })
        : undefined;
    }
    return items;
  };
  const now = (): number => clock().getTime();
  const co2 = (kWhByDay: Record<string, number> | undefined, site = 'default'): number =>
    Object.entries(kWhByDay ?? {}).reduce(
      (sum, [day, kWh]) => sum + kWh * emissionFactorFor(plant.emissionFactors, site, day).kgCo2ePerKWh,
      0,
    );
  const kWhOf = (byDay: Record<string, number> | undefined): number =>
    Object.values(byDay ?? {}).reduce((a, b) => a + b, 0);

  const withLate = (doc: Document): Document => {
    const due = Date.parse(doc['dueDate'] as string);
    const completedAt = doc['completedAt'] as string | undefined;
    const late = completedAt
      ? Date.parse(completedAt) > due
      : !['Cancelled', 'Closed'].includes(doc['status'] as string) && now() > due;
    return { ...doc, late };
  };

  const oeeFigures = (doc: Document) => {
    const running = num(doc, 'runningSeconds');
    const planned = num(doc, 'plannedSeconds') - num(doc, 'maintenanceSeconds');
    const availability = ratio(running, planned);
    const performance = ratio(num(doc, 'idealSeconds'), running);
    const quality = ratio(num(doc, 'good'), num(doc, 'total'));
    const oee =
      availability !== null && performance !== null && quality !== null ? availability * performance * quality : null;
    return {
      machineId: doc['machineId'],
      date: doc['date'],
      ...(doc['shift'] ? { shift: doc['shift'] } : {}),
      plannedProductionSeconds: planned,
      runSeconds: running,
      availability,
      performance,
      quality,
      oee,
      losses: {
        breakdownSeconds: num(doc, 'downSeconds'),
        setupSeconds: num(doc, 'setupSeconds'),
        idleAndMinorStopSeconds: num(doc, 'idleSeconds'),
        reducedSpeedSeconds: Math.max(0, running - num(doc, 'idealSeconds')),
        defectUnits: num(doc, 'total') - num(doc, 'good'),
        plannedMaintenanceSeconds: num(doc, 'maintenanceSeconds'),
      },
      total: num(doc, 'total'),
      good: num(doc, 'good'),
    };
  };

  const walk = async (lotId: string, direction: 'backward' | 'forward') => {
    const lots: Document[] = [];
    const links: Array<{ from: string; to: string; kind: 'issued' | 'produced' }> = [];
    const seen = new Set<string>();
    const queue = [lotId];
    while (queue.length > 0) {
      const id = queue.shift() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      const lot = await get('genealogy', 'lots', id);
      if (!lot) continue;
      lots.push(lot);
      if (direction === 'backward') {
        const orderId = lot['producedBy'] as string | null;
        if (!orderId) continue;
        links.push({ from: `order:${orderId}`, to: `lot:${id}`, kind: 'produced' });
        const order = await get('genealogy', 'orders', orderId);
        for (const input of (order?.['inputs'] as Array<{ lotId: string }> | undefined) ?? []) {
          links.push({ from: `lot:${input.lotId}`, to: `order:${orderId}`, kind: 'issued' });
          queue.push(input.lotId);
        }
      } else {
        for (const issue of (lot['issuedTo'] as Array<{ orderId: string }> | undefined) ?? []) {
          links.push({ from: `lot:${id}`, to: `order:${issue.orderId}`, kind: 'issued' });
          const order = await get('genealogy', 'orders', issue.orderId);
          for (const output of (order?.['outputs'] as string[] | undefined) ?? []) {
            links.push({ from: `order:${issue.orderId}`, to: `lot:${output}`, kind: 'produced' });
            queue.push(output);
          }
        }
      }
    }
    if (lots.length === 0) throw new NotFoundError(`lot ${lotId} is not known`);
    return { lotId, direction, lots, links };
  };

  return {
    namespace,
    master: masterDataQueries(
      (kind) => all('masterData', 'records', { kind }),
      () => clock().toISOString(),
    ),
    wip: {
      order: async (orderId: string) => {
        const doc = await get('wip', 'orders', orderId);
        if (!doc) throw new NotFoundError(`order ${orderId} is not known`);
        return withLate(doc);
      },
      orders: async (options: FindOptions = {}) => {
        const page = await find('wip', 'orders', options);
        return { ...page, items: page.items.map(withLate) };
      },
      workCenter: async (workCenter: string) =>
        (await get('wip', 'workCenters', workCenter)) ?? {
          _id: workCenter,
          workCenter,
          queue: [],
          running: [],
          loadHours: 0,
        },
      workCenters: async (options: FindOptions = {}) => find('wip', 'workCenters', options),
    },
    quality: {
      /** Quality's worklists: inspections to do (oldest first), NCs open (oldest first), holds in force. */
      worklist: {
        inspections: async () =>
          (await all('quality', 'inspections', { state: 'requested' }))
            .sort((a, b) => Date.parse(a['requestedAt'] as string) - Date.parse(b['requestedAt'] as string))
            .map((doc): Document & { ageHours: number } => ({
              ...doc,
              ageHours: (now() - Date.parse(doc['requestedAt'] as string)) / 1000 / HOUR,
            })),
        nonconformances: async () =>
          (await all('quality', 'loops', { state: { $ne: 'closed' } }))
            .filter((doc) => doc['state'] !== 'closed')
            .sort((a, b) => Date.parse(a['raisedAt'] as string) - Date.parse(b['raisedAt'] as string))
            .map((doc): Document & { ageHours: number } => ({
              ...doc,
              ageHours: (now() - Date.parse(doc['raisedAt'] as string)) / 1000 / HOUR,
            })),
        holds: async () =>
          (await all('quality', 'holds', { state: 'in-force' })).sort((a, b) =>
            (a['since'] as string).localeCompare(b['since'] as string),
          ),
      },
      loops: async (filter: Filter = {}) =>
        (await all('quality', 'loops', filter)).map((doc): Document & { ageHours: number } => {
          const end = doc['closedAt'] ? Date.parse(doc['closedAt'] as string) : now();
          return { ...doc, ageHours: (end - Date.parse(doc['raisedAt'] as string)) / 1000 / HOUR };
        }),
      yields: async (dimension: 'product' | 'operation' | 'workCenter' | 'day') =>
        (await all('quality', 'yields', { dimension })).map((doc) => ({
          dimension,
          key: doc['key'],
          good: num(doc, 'good'),
          scrap: num(doc, 'scrap'),
          rework: num(doc, 'rework'),
          firstPassYield: ratio(num(doc, 'good'), num(doc, 'good') + num(doc, 'scrap') + num(doc, 'rework')),
          finalYield: ratio(num(doc, 'good'), num(doc, 'good') + num(doc, 'scrap')),
        })),
      pareto: async () => {
        const rows = (await all('quality', 'pareto')).sort(
          (a, b) => num(b, 'units') - num(a, 'units') || num(b, 'occurrences') - num(a, 'occurrences'),
        );
        const total = rows.reduce((sum, r) => sum + num(r, 'units'), 0);
        let running = 0;
        return rows.map((r) => {
          running += num(r, 'units');
          return {
            kind: r['kind'],
            reason: r['reason'],
            units: num(r, 'units'),
            occurrences: num(r, 'occurrences'),
            cumulativeShare: ratio(running, total),
          };
        });
      },
    },
    maintenance: {
      plans: async (machineId?: string) => all('maintenance', 'plans', machineId ? { machineId } : {}),
      /** Overdue plans, the latest first (overdue since the earliest). */
      overdue: async () =>
        (await all('maintenance', 'plans', { overdueSince: { $ne: null } }))
          .filter((p) => p['overdueSince'])
          .sort((a, b) => Date.parse(a['overdueSince'] as string) - Date.parse(b['overdueSince'] as string))
          .map((p): Document & { hoursOverdue: number } => ({
            ...p,
            hoursOverdue: (now() - Date.parse(p['overdueSince'] as string)) / 1000 / HOUR,
          })),
      reliability: async (machineId: string) => {
        const doc = await get('maintenance', 'machines', machineId);
        if (!doc) throw new NotFoundError(`machine ${machineId} is not known`);
        return {
          machineId,
          failures: num(doc, 'failures'),
          repairs: num(doc, 'repairs'),
          runningHours: num(doc, 'runningSeconds') / HOUR,
          downHours: num(doc, 'downSeconds') / HOUR,
          mtbfHours: ratio(num(doc, 'runningSeconds') / HOUR, num(doc, 'failures')),
          mttrHours: ratio(num(doc, 'downSeconds') / HOUR, num(doc, 'repairs')),
        };
      },
    },
    carbon: {
      order: async (orderId: string) => {
        const doc = await get('carbon', 'orders', orderId);
        if (!doc) throw new NotFoundError(`no energy is recorded for order ${orderId}`);
        const kWh = kWhOf(doc['kWhByDay'] as Record<string, number>);
        const kg = co2(doc['kWhByDay'] as Record<string, number>);
        const units = num(doc, 'goodUnits');
        return {
          orderId,
          product: doc['product'],
          kWh,
          kgCo2e: kg,
          goodUnits: units,
          kWhPerUnit: ratio(kWh, units),
          kgCo2ePerUnit: ratio(kg, units),
        };
      },
      product: async (product: string) => {
        const doc = await get('carbon', 'products', product);
        if (!doc) throw new NotFoundError(`no energy is recorded for product ${product}`);
        const kWh = kWhOf(doc['kWhByDay'] as Record<string, number>);
        const kg = co2(doc['kWhByDay'] as Record<string, number>);
        return {
          product,
          kWh,
          kgCo2e: kg,
          units: num(doc, 'units'),
          kWhPerUnit: ratio(kWh, num(doc, 'units')),
          kgCo2ePerUnit: ratio(kg, num(doc, 'units')),
        };
      },
      machine: async (machineId: string) => {
        const doc = await get('carbon', 'machines', machineId);
        if (!doc) throw new NotFoundError(`no energy is recorded for machine ${machineId}`);
        return {
          machineId,
          kWh: kWhOf(doc['kWhByDay'] as Record<string, number>),
          overheadKWh: kWhOf(doc['overheadKWhByDay'] as Record<string, number>),
          kgCo2e: co2(doc['kWhByDay'] as Record<string, number>),
          overheadKgCo2e: co2(doc['overheadKWhByDay'] as Record<string, number>),
        };
      },
      day: async (day: string) => {
        const doc = await get('carbon', 'days', day);
        const factor = emissionFactorFor(plant.emissionFactors, 'default', day);
        const kWh = doc ? num(doc, 'kWh') : 0;
        return { day, kWh, overheadKWh: doc ? num(doc, 'overheadKWh') : 0, kgCo2e: kWh * factor.kgCo2ePerKWh, factor };
      },
    },
    oee: {
      shifts: async (machineId: string, from: string, to: string) =>
        (await all('oee', 'shifts', { machineId, date: { $gte: from, $lte: to } }))
          .sort((a, b) => String(a._id).localeCompare(String(b._id)))
          .map(oeeFigures),
      days: async (machineId: string, from: string, to: string) =>
        (await all('oee', 'days', { machineId, date: { $gte: from, $lte: to } }))
          .sort((a, b) => String(a._id).localeCompare(String(b._id)))
          .map(oeeFigures),
    },
    genealogy: {
      backward: (lotId: string) => walk(lotId, 'backward'),
      forward: (lotId: string) => walk(lotId, 'forward'),
    },
    labour: {
      operatorDays: async (filter: Filter = {}) => all('labour', 'operatorDays', filter),
      order: async (orderId: string) => {
        const doc = await get('labour', 'orders', orderId);
        const byOperator = (doc?.['minutesByOperator'] as Record<string, number> | undefined) ?? {};
        return {
          orderId,
          hours: doc ? num(doc, 'minutes') / 60 : 0,
          byOperator: Object.fromEntries(Object.entries(byOperator).map(([op, m]) => [op, m / 60])),
        };
      },
      clockings: async (filter: Filter = {}) => all('labour', 'clockings', filter),
    },
  };
};

export type ReadModelQueries = ReturnType<typeof createReadModelQueries>;
