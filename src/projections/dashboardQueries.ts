import type { Document } from '../app/readStore';
import { weekStart } from '../domain/calendar';
import { addDays, localDate, zonedInstant } from '../lib/time';
import { ratio } from './models/yieldsCore';
import type { ReadModelQueries } from './queries';

export type DashboardScope = { level: 'plant' } | { level: 'line' | 'machine'; key: string };
export type DashboardPeriod = 'shift' | 'day' | 'week';

const TOP = 5;
const DAY_MS = 86_400_000;
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const num = (doc: Document, field: string): number => (doc[field] as number | undefined) ?? 0;
const pick = <K extends string>(doc: Document, fields: readonly K[]): Record<K, unknown> =>
  Object.fromEntries(fields.map((f) => [f, doc[f] ?? null])) as Record<K, unknown>;

/**
 * Everything the dashboard shows in one answer, composed from the read models' own queries as of one
 * instant (`at`): OEE, TEEP, losses and stops of the scope for the period (the shift, local day or ISO
 * week that holds `at`), its machines' states and maintenance; the plant's orders (output against today's
 * plan, on-time delivery), yields, energy and open quality loops over the period's local days.
 */
export const dashboardQueries = (q: ReadModelQueries) => {
  const oeeOf = async (scope: DashboardScope, period: DashboardPeriod, today: string, until: string) => {
    // the current shift may have started yesterday; its bucket is the last with time in it
    const from = period === 'shift' ? addDays(today, -1) : period === 'week' ? weekStart(today) : today;
    const rows =
      scope.level === 'machine'
        ? await q.oee.machine(scope.key, period, from, today, until)
        : await q.oee.rollup(
            scope.level,
            scope.level === 'line' ? scope.key : undefined,
            period,
            from,
            today,
            undefined,
            until,
          );
    return rows[rows.length - 1] ?? null;
  };

  /** The orders (but cancelled ones) a filter finds: it may find more than asked, never fewer (see below). */
  const ordersWhere = async (field: 'dueAt' | 'completedAt', condition: unknown): Promise<Document[]> => {
    // in the order of the filtered field: its index serves both (SQLite would rather scan in id order)
    const find = { filter: { [field]: condition }, sort: { field, direction: 1 as const }, limit: 1000 };
    const items: Document[] = [];
    for (let page = await q.wip.orders(find); ;) {
      items.push(...page.items.filter((o) => o['status'] !== 'Cancelled'));
      if (!page.nextCursor) return items;
      page = await q.wip.orders({ ...find, cursor: page.nextCursor });
    }
  };

  return async (scope: DashboardScope, period: DashboardPeriod) => {
    const at = q.plant.clock().toISOString();
    const { timeZone } = q.plant;
    const today = localDate(at, timeZone);
    const firstDay = period === 'week' ? weekStart(today) : today;
    const days: string[] = [];
    for (let day = firstDay; day <= today; day = addDays(day, 1)) days.push(day);
    const inPeriod = (instant: unknown): boolean =>
      typeof instant === 'string' && days.includes(localDate(instant, timeZone));

    const oee = await oeeOf(scope, period, today, at);
    const machines = await q.oee.states(scope.level, scope.level === 'plant' ? undefined : scope.key);
    const ids = new Set(machines.map((m) => m.machineId));
    const every = scope.level === 'plant' ? machines : await q.oee.states('plant');
    const byState: Record<string, number> = { running: 0, idle: 0, setup: 0, down: 0, maintenance: 0 };
    for (const m of machines) byState[m.state] = (byState[m.state] ?? 0) + 1;

    // the orders the figures are about, read through indexes rather than every order the plant ever had: a
    // generous range of instants or dates finds them (a local day is within two days of its UTC dates,
    // whatever the offset a time is written with), and each is then judged exactly as the figures need
    const midnight = (date: string): number => zonedInstant(date, '00:00', timeZone);
    const dueAround = { $gte: midnight(today) - 2 * DAY_MS, $lt: midnight(addDays(today, 1)) + 2 * DAY_MS };
    const due = (await ordersWhere('dueAt', dueAround)).filter(
      (o) => localDate(o['dueDate'] as string, timeZone) === today,
    );
    const completed = (await ordersWhere('completedAt', { $gte: addDays(firstDay, -2) })).filter((o) =>
      inPeriod(o['completedAt']),
    );
    const open = (await ordersWhere('completedAt', null)).filter((o) => !o['completedAt']);

    const yieldDays = (await q.quality.yields('day')).filter((row) => days.includes(row.key));
    const units = sum(yieldDays.map((r) => r.units));
    const good = sum(yieldDays.map((r) => r.good));
    const products = (await q.quality.yields('product'))
      .filter((row) => row.units > 0)
      .sort((a, b) => b.units - a.units || a.key.localeCompare(b.key))
      .slice(0, TOP)
      .map((row) => ({
        product: row.key,
        units: row.units,
        firstPassYield: row.firstPassYield,
        rolledThroughputYield: row.rolledThroughputYield ?? null,
      }));

    const energyDays = await Promise.all(days.map((day) => q.carbon.day(day)));
    const kWh = sum(energyDays.map((d) => d.kWh));
    const kg = sum(energyDays.map((d) => d.kgCo2 ?? d.kgCo2e ?? 0));
    const gases = new Set(energyDays.filter((d) => d.kWh > 0).map((d) => d.gas));
    const gas = gases.size > 1 ? 'CO2 and CO2e' : ([...gases][0] ?? 'CO2');

    const loops = await q.quality.worklist.nonconformances();
    const overdue = (await q.maintenance.overdue()).filter((p) => ids.has(p['machineId'] as string));
    const soon = (await q.maintenance.dueSoon()).plans.filter((p) => ids.has(p['machineId'] as string));

    return {
      scope: scope.level === 'plant' ? { level: 'plant' } : scope,
      period,
      at,
      timeZone,
      today,
      days,
      oee,
      /** What else the dashboard may show: the plant's lines and machines. */
      choices: {
        lines: [...new Set(every.flatMap((m) => (m.line ? [m.line] : [])))].sort(),
        machines: every.map((m) => m.machineId),
      },
      machines: {
        count: machines.length,
        byState,
        stopped: machines.filter((m) => m.state !== 'running'),
      },
      output: {
        date: today,
        dueOrders: due.length,
        plannedQuantity: sum(due.map((o) => num(o, 'quantity'))),
        madeQuantity: sum(due.map((o) => num(o, 'quantity') - num(o, 'quantityRemaining'))),
        completedOrders: due.filter((o) => o['completedAt']).length,
      },
      delivery: {
        completed: completed.length,
        onTime: completed.filter((o) => o['late'] === false).length,
        onTimeDelivery: ratio(completed.filter((o) => o['late'] === false).length, completed.length),
        openLate: open.filter((o) => o['late'] === true).length,
      },
      yields: {
        units,
        good,
        firstPassYield: ratio(sum(yieldDays.map((r) => r.firstPassGood)), units),
        finalYield: ratio(good, units),
        products,
      },
      energy: {
        kWh,
        kg,
        gas,
        goodUnits: good,
        kWhPerUnit: ratio(kWh, good),
        kgPerUnit: ratio(kg, good),
      },
      quality: {
        openLoops: loops.length,
        oldest: loops.slice(0, TOP).map((l) => ({
          ...pick(l, ['nonconformanceId', 'orderId', 'product', 'state', 'quantity']),
          ageHours: l.ageHours,
        })),
      },
      maintenance: {
        overdue: overdue.length,
        dueSoon: soon.length,
        overdueList: overdue
          .slice(0, TOP)
          .map((p) => ({ ...pick(p, ['planId', 'machineId', 'title', 'overdueSince']), hoursOverdue: p.hoursOverdue })),
        dueSoonList: soon
          .slice(0, TOP)
          .map((p) => ({ ...pick(p, ['planId', 'machineId', 'title']), hoursToDue: p.hoursToDue })),
      },
    };
  };
};

export type DashboardAnswer = Awaited<ReturnType<ReturnType<typeof dashboardQueries>>>;
