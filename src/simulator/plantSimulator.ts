import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from 'nats';
import { HOUR, MINUTE, PRODUCTS, iso } from './catalog';
import type { ApiClient, Must } from './client';
import type { PlantClients } from './logins';
import { createCrew } from './crew';
import {
  BASELINE_POINTS,
  BORE,
  DRIFT_STARTS,
  WEAR_FAILS,
  WEAR_STARTS,
  boreAt,
  createSensors,
  healthSettingsFor,
  patrolDue,
  sampleDue,
  type Wear,
} from './condition';
import { createDeviceLink, type OpcuaLink } from './deviceLink';
import {
  createMachine,
  intervalReport,
  machineMinute,
  maintenanceCanStart,
  maintenancePlan,
  MAINTENANCE_MINUTES,
  registration,
  nextFailureAt,
  type Machine,
  type StateChange,
} from './machineModel';
import { seedMasterData } from './masterPlant';
import { done, toRelease } from './orderFlow';
import { arrivalTimes, batchCount, dueAt, materialReceipt, planOrders, scheduleXml } from './orderPlan';
import { seededRandom } from './simClock';
import { qualityTasks, runDueTasks, type Task } from './tasks';

export type SimulationOptions = {
  /** The plant's people, operators on their PDAs, and integrations, each logged in as themselves. */
  clients: PlantClients;
  /** The backbone's clock (accelerated in the demo): the simulation keeps pace with it. */
  now: () => Date;
  /** Simulated time per wall-clock time. */
  factor: number;
  machines: number;
  orders: number;
  /** Simulated hours to run. */
  hours: number;
  /** Told how far the simulation has got (ms): the simulated clock may not run past it. */
  reached?: (ms: number) => void;
  /** The share of inspections that fail. */
  defectRate: number;
  /** Mean running hours between failures, and mean hours to repair. */
  mtbfHours: number;
  mttrHours: number;
  /** The share of maintenance performed late (the overdue alarm rises, then clears). */
  lateMaintenanceRate: number;
  seed: number;
  /** When set, machines report over NATS device subjects instead of HTTP. */
  nats?: NatsConnection;
  /** The run's id, the prefix of its machines and orders (default: from the simulated start). */
  runId?: string;
  /** When set, its machine (the first) sets the variables of its own OPC UA server instead. */
  opcua?: OpcuaLink;
  site?: string;
  onProgress?: (progress: Progress) => void;
};

export type Progress = { fraction: number; simTime: string; ordersCompleted: number; orders: number; requests: number };

/**
 * A plant that drives the backbone only through its real inputs: the ERP sends a B2MML schedule, the
 * WMS a material receipt, planners release orders, operators scan operation cards (start, report,
 * complete) and issue material, machines report state, energy and counts (over HTTP, or NATS device
 * subjects), quality records inspections and decides nonconformances, maintenance performs plans
 * (late now and then). Machines fail and are repaired at random (MTBF, MTTR), from a seed.
 *
 * The plant's model is pure (machineModel, orderPlan, orderFlow); this shell advances the simulated
 * clock minute by minute and sends what the model decided through the API client.
 */
export const runPlantSimulation = async (options: SimulationOptions) => {
  const { clients } = options;
  const random = seededRandom(options.seed);
  const rates = { mtbfHours: options.mtbfHours, mttrHours: options.mttrHours };
  // set-up takes simulated time too: the run proper starts after it (see below)
  const planned = Math.ceil(options.now().getTime() / MINUTE) * MINUTE;
  const runId = options.runId ?? runIdOf(planned);
  // the sensors' and gauges' scatter draws from its own generator: the plant's other draws stay as they were
  const noise = seededRandom(options.seed + 7919);
  const tasks: Task[] = [];
  const problems: string[] = [];
  const must: Must = async (what, answer) => {
    const { status, body } = await answer;
    if (status >= 200 && status < 300) return body;
    problems.push(`${what}: ${status} ${JSON.stringify(body).slice(0, 200)}`);
    return undefined;
  };
  const link = createDeviceLink({
    api: clients.gateway,
    must,
    site: options.site ?? 'plant1',
    ...(options.nats ? { nats: options.nats } : {}),
    ...(options.opcua ? { opcua: options.opcua } : {}),
  });
  const quality = qualityTasks(clients.quality, (task) => tasks.push(task));
  // the second machine's bearing wears before it fails (set once the run's start is known)
  const worn: { machineId: string; wear?: Wear; wearFrom?: number; failedAt?: number } = { machineId: '' };
  const setState = async (m: Machine, change: StateChange): Promise<void> => {
    if (m.state === change.state) return;
    m.state = change.state;
    // the worn bearing fails: replaced in the repair, the machine runs at its old level after it
    if (m.machineId === worn.machineId && change.state === 'down' && worn.wear && change.at >= worn.wear.from) {
      worn.failedAt = change.at;
      delete worn.wear;
    }
    await link.state(m.machineId, { ...change, ...withReason(m, change) });
  };
  /**
   * Every stop with its reason, as a machine with an operator terminal sends it: a set-up is a
   * changeover, maintenance planned; an idle machine waits for work (no demand) when no released
   * operation waits for its work center, else it stops briefly (a minor stop) until it takes one.
   */
  const withReason = (m: Machine, change: StateChange): { reasonCode?: string } => {
    if (change.reasonCode || change.state === 'running' || change.state === 'down') return {};
    if (change.state === 'setup') return { reasonCode: 'changeover' };
    if (change.state === 'maintenance') return { reasonCode: 'planned-maintenance' };
    const waiting = orders.filter(
      (o) =>
        o.released &&
        !done(o) &&
        o.operations[o.next]?.workCenter === m.workCenter &&
        !machines.some((x) => x.job?.order === o),
    ).length;
    // machines of the work center already waiting take the work first
    const idle = machines.filter(
      (x) => x !== m && x.workCenter === m.workCenter && !x.job && x.state === 'idle',
    ).length;
    return { reasonCode: waiting > idle ? 'minor-stop' : 'no-demand' };
  };

  // the plant: machines split between two work centers, each with a maintenance plan
  const machines = Array.from({ length: options.machines }, (_, i) => createMachine(runId, i));
  for (const m of machines) {
    await must(`register ${m.machineId}`, clients.maintenance.post('/api/machines', registration(m)));
    // a new machine waits for its first order: no demand, not a minor stop
    await link.state(m.machineId, { state: 'idle', at: options.now().getTime(), reasonCode: 'no-demand' });
    // maintenance sets the health charts to the run: half-hour periods, a healthy window of its first quarter
    await must(
      `health settings of ${m.machineId}`,
      clients.maintenance.put(`/api/machines/${m.machineId}/health/settings`, healthSettingsFor(options.hours)),
    );
    const scheduled = maintenancePlan(m, planned, random, options.lateMaintenanceRate);
    // the worn machine is maintained in the run's first hour, on time: its baseline is learned after, before the wear
    const { plan, performAt } =
      m === machines[1]
        ? {
            plan: { ...scheduled.plan, startsAt: iso(planned + HOUR - 24 * HOUR) },
            performAt: planned + HOUR - 10 * MINUTE,
          }
        : scheduled;
    await must(`plan ${m.machineId}`, clients.maintenance.post('/api/maintenance-plans', plan));
    tasks.push({
      at: performAt,
      what: `maintenance of ${m.machineId}`,
      run: async (at) => {
        if (!maintenanceCanStart(m)) return false; // after the current job or repair
        await setState(m, { state: 'maintenance', at });
        m.until = at + MAINTENANCE_MINUTES * MINUTE;
        await must(
          `perform ${plan.planId}`,
          clients.maintenance.post(`/api/maintenance-plans/${plan.planId}/perform`, { performedAt: iso(at) }),
        );
        return true;
      },
    });
  }

  // what the plant makes and how, in master data: the ERP's orders name only products
  await seedMasterData(clients, must, machines);

  // the ERP's orders with customer priorities and due dates, sent as B2MML schedules through the day
  const orders = planOrders({ runId, orders: options.orders, hours: options.hours }, random);
  /** A batch of orders arrives: the ERP's schedule, and the WMS receives their bar steel (one lot each). */
  const arrive = async (b: number, at: number): Promise<void> => {
    const batch = orders.filter((o) => o.batch === b);
    for (const o of batch) o.due = dueAt(o, at);
    const id = `SCH-${runId}-${b + 1}`;
    await must(
      `schedule ${id}`,
      clients.erp.post('/api/erp/production-schedules', scheduleXml(batch, at, id), 'application/xml'),
    );
    await must(`receipt for ${id}`, clients.wms.post('/api/wms/material-receipts', materialReceipt(runId, b, batch)));
    for (const o of batch) o.arrived = true;
  };
  const release = async (): Promise<void> => {
    for (const order of toRelease(orders, options.machines)) {
      order.released = true;
      // the backbone stamps the release with its own time, which runs ahead of this loop's when it lags:
      // the order's scans are dated no earlier (the backbone refuses a scan before its order's release)
      if (await must(`release ${order.orderId}`, clients.planner.post(`/api/orders/${order.orderId}/release`, {})))
        order.releasedAt = options.now().getTime();
    }
  };

  // each machine's operator is whoever is logged in on its PDA
  const operators = new Map(
    machines.map((m, i) => [m.machineId, clients.operators[i % clients.operators.length] as ApiClient]),
  );
  const crew = createCrew({
    operatorOf: (m) => operators.get(m.machineId) as ApiClient,
    must,
    random,
    defectRate: options.defectRate,
    orders,
    machines,
    setState,
    inspect: (id, passed, at) => tasks.push(quality.inspect(id, passed, at)),
  });

  const start = Math.ceil(options.now().getTime() / MINUTE) * MINUTE;
  const end = start + options.hours * HOUR;
  for (const m of machines) {
    m.failAt = nextFailureAt(start, random, options.mtbfHours);
    m.reportedAt = start;
  }
  const wornMachine = machines[1] as Machine;
  worn.machineId = wornMachine.machineId;
  worn.wear = { from: start + WEAR_STARTS * (end - start), failAt: start + WEAR_FAILS * (end - start) };
  worn.wearFrom = worn.wear.from;
  // its failure is the wear's, not a random one
  wornMachine.failAt = worn.wear.failAt;
  const sensors = new Map(machines.map((m) => [m.machineId, createSensors(noise)]));
  const sample = async (m: Machine, t: number): Promise<void> => {
    if (m.state !== 'running') return;
    const wear = m.machineId === worn.machineId ? worn.wear : undefined;
    await link.sample(m.machineId, (sensors.get(m.machineId) as ReturnType<typeof createSensors>)(t, wear, noise));
  };
  const patrol = createPatrol({ runId, start, end, machines, clients, must, noise, quality });

  const report = async (m: Machine, at: number, final = false): Promise<void> => {
    if (at <= m.reportedAt) return;
    await link.report(m.machineId, m.reportedAt, at, intervalReport(m), final);
    Object.assign(m, { kWh: 0, total: 0, good: 0, reportedAt: at });
  };
  const step = async (m: Machine, t: number): Promise<void> => {
    const minute = machineMinute(m, t, random, rates);
    let next = minute.next();
    for (; !next.done; next = minute.next()) await setState(m, next.value);
    const { machine, then } = next.value;
    Object.assign(m, machine);
    if (then === 'complete' && m.job) await crew.complete(m, m.job, t);
    else if (then === 'dispatch') await crew.dispatch(m, t);
  };

  const arrivals = arrivalTimes(start, options.hours, batchCount(options.orders));
  for (let t = start; t < end; t += MINUTE) {
    options.reached?.(t + MINUTE);
    const ahead = t - options.now().getTime();
    if (ahead > 0) await sleep(ahead / options.factor);
    for (const [b, arrival] of arrivals.entries()) if (t === arrival) await arrive(b, t);
    if ((t - start) % (15 * MINUTE) === 0) await release();
    await Promise.all(machines.map((m) => step(m, t)));
    if (sampleDue(t, start)) await Promise.all(machines.map((m) => sample(m, t)));
    if (patrolDue(t, start)) await patrol.inspect(t, tasks);
    await runDueTasks(tasks, t);
    if ((t - start) % (15 * MINUTE) === 14 * MINUTE) await Promise.all(machines.map((m) => report(m, t + MINUTE)));
    options.onProgress?.({
      fraction: (t + MINUTE - start) / (end - start),
      simTime: iso(t + MINUTE),
      ordersCompleted: orders.filter(done).length,
      orders: orders.length,
      requests: clients.counters.sent,
    });
  }
  await Promise.all(machines.map((m) => report(m, end, true)));
  // the simulated plant stops at the end of the run: its machines wait for work, so the time the
  // backbone keeps serving afterwards is no demand rather than run time without counts
  for (const m of machines)
    if (m.state !== 'down') await setState(m, { state: 'idle', at: end, reasonCode: 'no-demand' });
  return {
    runId,
    start: iso(start),
    end: iso(end),
    machines: machines.map((m) => m.machineId),
    orders: orders.map((o) => ({ orderId: o.orderId, product: o.product, due: iso(o.due) })),
    products: PRODUCTS,
    scans: crew.scans(),
    deviceMessages: link.messages(),
    health: {
      machineId: worn.machineId,
      wearFrom: iso(worn.wearFrom),
      failedAt: worn.failedAt === undefined ? null : iso(worn.failedAt),
    },
    spc: patrol.outcome(),
    ...(options.opcua ? { opcua: { machineId: options.opcua.machineId, made: link.totals() } } : {}),
    problems,
  };
};

/** A run's id from its planned start (MMDDHHmm): its machines and orders are named after it. */
export const runIdOf = (planned: number): string => new Date(planned).toISOString().slice(5, 16).replace(/[-:T]/g, '');

/**
 * Quality's patrol of the mills: every five minutes one part of an operation 020 running is measured
 * (its bore), charted by the backbone per product; once a chart has its baseline quality sets its
 * limits. From the drift's start the bore grows; the nonconformance SPC opens is disposed by quality
 * twenty minutes later, who corrects the spindle's offset then (the drift ends).
 */
const createPatrol = (deps: {
  runId: string;
  start: number;
  end: number;
  machines: Machine[];
  clients: PlantClients;
  must: Must;
  noise: ReturnType<typeof seededRandom>;
  quality: ReturnType<typeof qualityTasks>;
}) => {
  const { runId, machines, clients, must, noise, quality } = deps;
  const drift: { from: number; correctedAt?: number } = { from: deps.start + DRIFT_STARTS * (deps.end - deps.start) };
  const charts = new Map<string, { points: number; limited: boolean }>();
  const disposed = new Set<string>();
  const caught: Array<{ chartId: string; nonconformanceId: string; rule: number; at: string }> = [];
  let inspected = 0;
  let outOfTolerance = 0;
  const inspect = async (t: number, tasks: Task[]): Promise<void> => {
    const running = machines.filter((m) => m.state === 'running' && m.job?.operation.operationId === '020');
    const m = running[inspected % Math.max(1, running.length)];
    const job = m?.job;
    if (!job) return;
    inspected += 1;
    const inspectionId = `${runId}-PTL-${inspected}`;
    const { product, orderId } = job.order;
    const requested = await must(
      `patrol ${inspectionId}`,
      clients.quality.post('/api/inspections', {
        inspectionId,
        orderId,
        operationId: '020',
        product,
        characteristics: [{ name: 'bore', kind: 'measured', lower: BORE.lower, upper: BORE.upper, unit: BORE.unit }],
      }),
    );
    if (!requested) return;
    const value = boreAt(t, drift, noise);
    if (value < BORE.lower || value > BORE.upper) {
      outOfTolerance += 1;
      tasks.push(quality.dispose(`NC-${inspectionId}`, t + 20 * MINUTE, 'DRIFT'));
    }
    await must(
      `bore of ${inspectionId}`,
      clients.quality.post(`/api/inspections/${inspectionId}/results`, {
        results: [{ characteristic: 'bore', value }],
      }),
    );
    const chartId = `${product}.020.bore`;
    const chart = charts.get(chartId) ?? { points: 0, limited: false };
    chart.points += 1;
    charts.set(chartId, chart);
    // the baseline: the chart's points before the drift
    if (!chart.limited && chart.points >= BASELINE_POINTS && t < drift.from) {
      chart.limited = Boolean(
        await must(
          `limits of ${chartId}`,
          clients.quality.post(`/api/spc/charts/${chartId}/limits`, { from: iso(deps.start), to: iso(t + MINUTE) }),
        ),
      );
    }
    if (!chart.limited) return;
    // the violations SPC found so far (charted as the backbone's quality loop catches up)
    const { body } = await clients.quality.get(`/api/spc/charts/${chartId}`);
    const violations = ((body as { violations?: unknown } | undefined)?.violations ?? []) as Array<{
      nonconformanceId: string;
      rule: number;
      at?: string;
    }>;
    for (const v of violations) {
      if (disposed.has(v.nonconformanceId)) continue;
      disposed.add(v.nonconformanceId);
      caught.push({ chartId, nonconformanceId: v.nonconformanceId, rule: v.rule, at: v.at ?? iso(t) });
      tasks.push(
        quality.dispose(v.nonconformanceId, t + 20 * MINUTE, 'DRIFT', (at) => {
          // a signal in the drift makes quality correct the offset; one before it is a false alarm, accepted
          if (at >= drift.from) drift.correctedAt ??= at;
        }),
      );
    }
  };
  return {
    inspect,
    outcome: () => ({
      inspections: inspected,
      charts: [...charts.entries()].map(([chartId, c]) => ({ chartId, points: c.points, limited: c.limited })),
      driftFrom: iso(drift.from),
      correctedAt: drift.correctedAt === undefined ? null : iso(drift.correctedAt),
      caught,
      outOfTolerance,
    }),
  };
};

export type SimulationRun = Awaited<ReturnType<typeof runPlantSimulation>>;
