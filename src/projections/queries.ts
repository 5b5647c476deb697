import type { PlantConfig } from '../app/plant';
import { pageLimit, type Document, type Filter, type FindOptions, type Page, type ReadStore } from '../app/readStore';
import { createAnswerCache } from './answerCache';
import {
  DEFAULT_DISPATCH_RULE,
  isDispatchRule,
  rankQueue,
  type DispatchRule,
  type QueueEntry,
} from '../domain/dispatch';
import { NotFoundError } from '../domain/errors';
import { loadMany, walkGenealogy } from './genealogyQueries';
import { carbonQueries } from './carbonQueries';
import { labourQueries } from './labourQueries';

import { classifyMaintenanceBookings, dueSoon, machineReadingAt } from './maintenanceFigures';
import { inForce, type TimelineEntry } from '../domain/masterData';
import { masterDataQueries } from './masterDataQueries';
import { yieldsQueries } from './yieldsQueries';
import { createOeeQueries } from './oeeQueries';
import { spcQueries } from './spcQueries';
import { telemetryQueries } from './models/telemetry';
import { healthQueries } from './models/health';

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
  /** `maintenanceDueSoonHours`: the due-soon list's default horizon (MAINTENANCE_DUE_SOON_HOURS, default 72). */
  options: { maintenanceDueSoonHours?: number } = {},
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
  /**
   * What a projection's answers are computed from: its active namespace and the events it has applied
   * there (committed with its documents), or undefined before its first commit. It moves with every
   * event the projection takes (only those), and with a rebuilt namespace taking over.
   */
  const version = async (projection: string): Promise<string | undefined> => {
    const active = await namespace(projection);
    const checkpoint = await readStore.checkpoint(active);
    return checkpoint ? `${active}#${checkpoint.events}` : undefined;
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
  // at most 100 pages of at most 100 orders: some tens of MB at worst
  const pages = createAnswerCache(100);
  const oee = createOeeQueries({ all, get, version: () => version('oee') }, plant, now);
  /** An order still open (neither completed nor cancelled or closed): its lateness follows the clock. */
  const open = (doc: Document): boolean =>
    !doc['completedAt'] && !['Cancelled', 'Closed'].includes(doc['status'] as string);
  const withLate = (doc: Document, at = now()): Document => {
    const due = Date.parse(doc['dueDate'] as string);
    const completedAt = doc['completedAt'] as string | undefined;
    const late = completedAt ? Date.parse(completedAt) > due : open(doc) && at > due;
    return { ...doc, late };
  };
  /*
   * A kept page's orders with their lateness, kept beside the page (frozen, so its JSON is encoded once,
   * see the API's sendJson) for as long as no lateness can change: from when it was worked out until the
   * earliest due time of an open order not yet late (a clock set back works it out again). An order list
   * asked again and again then costs a lookup rather than a copy of each order and its JSON.
   */
  const lateness = new WeakMap<Page, { from: number; until: number; page: Page }>();
  const withLateness = (page: Page): Page => {
    const at = now();
    // a page not kept (an export's, or one read while the read model moved) is worked out each time
    if (!Object.isFrozen(page)) return { ...page, items: page.items.map((doc) => withLate(doc, at)) };
    const known = lateness.get(page);
    if (known && known.from <= at && at <= known.until) return known.page;
    let until = Number.POSITIVE_INFINITY;
    for (const doc of page.items) {
      const due = Date.parse(doc['dueDate'] as string);
      if (open(doc) && at <= due) until = Math.min(until, due);
    }
    const answer = Object.freeze({
      ...page,
      items: Object.freeze(page.items.map((doc) => Object.freeze(withLate(doc, at)))),
    }) as Page;
    lateness.set(page, { from: at, until, page: answer });
    return answer;
  };

  /**
   * A work center's dispatch rule: its master record's in force now, else the plant's (PLANT_CONFIG),
   * else priority then due date.
   */
  const dispatchRuleOf = async (workCenter: string): Promise<DispatchRule> => {
    const fallback = plant.dispatchRule ?? DEFAULT_DISPATCH_RULE;
    const doc = await get('masterData', 'records', `workCenter:${workCenter}`).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined; // master data not built yet
      throw error;
    });
    const timeline = doc?.['timeline'] as TimelineEntry<Record<string, unknown>>[] | undefined;
    const rule = timeline ? inForce(timeline, clock().toISOString())?.record['dispatchRule'] : undefined;
    return isDispatchRule(rule) ? rule : fallback;
  };

  const genealogyDocs = loadMany(
    (collection, id) => get('genealogy', collection, id),
    (collection, options) => find('genealogy', collection, options),
  );
  const walk = (lotId: string, direction: 'backward' | 'forward') => walkGenealogy(genealogyDocs, lotId, direction);

  return {
    namespace,
    version,
    /** The plant's time zone and the queries' clock: for answers composed of several queries (the dashboard). */
    plant: { timeZone: plant.timeZone, clock },
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
      /** A sort by due date compares the instants (`dueAt`), not the strings, whatever their offsets. */
      orders: async (options: FindOptions = {}) => {
        const sort = options.sort?.field === 'dueDate' ? { ...options.sort, field: 'dueAt' } : options.sort;
        const asked = { ...options, ...(sort ? { sort } : {}) };
        // a page of up to 100 orders is kept while the WIP read model holds (lateness, which follows the
        // clock, is kept beside it while it holds: withLateness); larger pages (exports) are read each time
        const page = await pages.get(
          JSON.stringify(asked),
          () => version('wip'),
          () => find('wip', 'orders', asked),
          pageLimit(asked.limit) <= 100,
        );
        return withLateness(page);
      },
      /** A work center with its queue in the order of its dispatch rule now (see `dispatchRuleOf`). */
      workCenter: async (workCenter: string): Promise<Document> => {
        const doc: Document = (await get('wip', 'workCenters', workCenter)) ?? {
          _id: workCenter,
          workCenter,
          queue: [],
          running: [],
          loadHours: 0,
        };
        const rule = await dispatchRuleOf(workCenter);
        const entries = doc['queue'] as QueueEntry[];
        const remaining = new Map<string, number>();
        for (const orderId of new Set(entries.map((e) => e.orderId))) {
          const order = await get('wip', 'orders', orderId);
          const operations = (order?.['operations'] as Array<{ status: string; plannedMinutes?: number }>) ?? [];
          remaining.set(
            orderId,
            operations.filter((op) => op.status !== 'completed').reduce((sum, op) => sum + (op.plannedMinutes ?? 0), 0),
          );
        }
        const queue = rankQueue(entries, rule, clock().toISOString(), (e) => remaining.get(e.orderId));
        const answer: Document = { ...doc, dispatchRule: rule, queue };
        return answer;
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
      ...yieldsQueries(
        (collection, filter) => all('yields', collection, filter),
        () => version('yields'),
      ),
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
      /** Plans coming due within `horizonHours` (default: the configured horizon), soonest first. */
      dueSoon: async (horizonHours: number = options.maintenanceDueSoonHours ?? 72) => {
        const machines = new Map(
          (await all('maintenance', 'machines')).map((m) => [m['machineId'] as string, m] as const),
        );
        const at = now();
        return {
          horizonHours,
          at: new Date(at).toISOString(),
          plans: dueSoon(await all('maintenance', 'plans'), machines, at, horizonHours),
        };
      },
      /** Corrective requests, the latest opened first; by machine and status (open, closed) when given. */
      requests: async (filter: { machineId?: string; status?: string } = {}) =>
        (await all('maintenance', 'requests', { ...filter })).sort(
          (a, b) => Date.parse(b['openedAt'] as string) - Date.parse(a['openedAt'] as string),
        ),
      /**
       * MTBF = running hours / breakdowns (corrective requests opened); MTTR = repair hours of the closed
       * requests / closed requests; maintenance bookings with neither plan work nor a breakdown flagged.
       */
      reliability: async (machineId: string) => {
        const doc = await get('maintenance', 'machines', machineId);
        if (!doc) throw new NotFoundError(`machine ${machineId} is not known`);
        const at = now();
        const requests = await all('maintenance', 'requests', { machineId });
        const { runningHours } = machineReadingAt(doc, at);
        const repairHours = num(doc, 'repairSeconds') / HOUR;
        return {
          machineId,
          failures: num(doc, 'failures'),
          repairs: num(doc, 'repairs'),
          runningHours,
          repairHours,
          mtbfHours: ratio(runningHours, num(doc, 'failures')),
          mttrHours: ratio(repairHours, num(doc, 'repairs')),
          openRequest: doc['openRequest'] ?? null,
          maintenanceBookings: classifyMaintenanceBookings(doc, requests, at),
        };
      },
    },
    carbon: carbonQueries(
      {
        get: (collection, id) => get('carbon', collection, id),
        all: (collection, filter) => all('carbon', collection, filter),
      },
      plant.emissionFactors,
    ),
    oee: {
      ...oee,
      shifts: (machineId: string, from?: string, to?: string) => oee.machine(machineId, 'shift', from, to),
      days: (machineId: string, from?: string, to?: string) => oee.machine(machineId, 'day', from, to),
    },
    genealogy: {
      backward: (lotId: string) => walk(lotId, 'backward'),
      forward: (lotId: string) => walk(lotId, 'forward'),
    },
    labour: labourQueries((collection, filter) => all('labour', collection, filter), plant, now),
    telemetry: telemetryQueries({ all: (collection, filter) => all('telemetry', collection, filter) }, plant.timeZone),
    health: healthQueries({ get: (collection, id) => get('health', collection, id) }),
    spc: spcQueries({
      get: (collection, id) => get('spc', collection, id),
      find: (collection, options) => find('spc', collection, options),
      all: (collection, filter) => all('spc', collection, filter),
    }),
  };
};

export type ReadModelQueries = ReturnType<typeof createReadModelQueries>;
