import { setTimeout as sleep } from 'node:timers/promises';
import { headers as natsHeaders, type NatsConnection } from 'nats';
import type { ApiClient } from './client';
import type { PlantClients } from './logins';
import { seededRandom } from './simClock';

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
  site?: string;
  onProgress?: (progress: Progress) => void;
};

export type Progress = { fraction: number; simTime: string; ordersCompleted: number; orders: number; requests: number };

type Operation = { operationId: string; code: string; workCenter: string; minutesPerUnit: number; inspection: boolean };
type Order = {
  orderId: string;
  /** Which of the ERP's schedules brings the order, and its due date in hours after that. */
  batch: number;
  dueHours: number;
  arrived: boolean;
  product: string;
  quantity: number;
  priority: number;
  due: number;
  operations: Operation[];
  next: number;
  released: boolean;
  /** Good units of the last completed operation: what the next one receives. */
  good: number;
};
type Job = {
  order: Order;
  operation: Operation;
  card: string;
  target: number;
  made: number;
  good: number;
  scrap: number;
  carry: number;
};
type MachineState = 'running' | 'idle' | 'setup' | 'down' | 'maintenance';
type Machine = {
  machineId: string;
  /** The operator on this machine's PDA. */
  operator: ApiClient;
  workCenter: string;
  ratedKw: number;
  state: MachineState;
  until: number;
  failAt: number;
  job?: Job;
  kWh: number;
  total: number;
  good: number;
  product?: string;
  reportedAt: number;
};
type Task = { at: number; run: (t: number) => Promise<boolean>; what: string };

const MINUTE = 60_000;
const WORK_CENTERS = [
  { workCenter: 'WC-TURN', code: 'TURN', inspection: false, ratedKw: 15 },
  { workCenter: 'WC-MILL', code: 'MILL', inspection: true, ratedKw: 11 },
];
const PRODUCTS = ['SHAFT-20', 'FLANGE-8', 'HUB-12'];
const POWER_SHARE: Record<MachineState, number> = { running: 1, setup: 0.5, idle: 0.2, maintenance: 0.1, down: 0.05 };
const iso = (ms: number) => new Date(ms).toISOString();
/** An order whose last operation is complete (in the plant; the backbone may still wait on its inspection). */
const done = (order: Order): boolean => order.next >= order.operations.length;

/**
 * A plant that drives the backbone only through its real inputs: the ERP sends a B2MML schedule, the
 * WMS a material receipt, planners release orders, operators scan operation cards (start, report,
 * complete) and issue material, machines report state, energy and counts (over HTTP, or NATS device
 * subjects), quality records inspections and decides nonconformances, maintenance performs plans
 * (late now and then). Machines fail and are repaired at random (MTBF, MTTR), from a seed.
 */
export const runPlantSimulation = async (options: SimulationOptions) => {
  const { clients } = options;
  const random = seededRandom(options.seed);
  const site = options.site ?? 'plant1';
  // set-up takes simulated time too: the run proper starts after it (see below)
  const planned = Math.ceil(options.now().getTime() / MINUTE) * MINUTE;
  const runId = new Date(planned).toISOString().slice(5, 16).replace(/[-:T]/g, '');
  const tasks: Task[] = [];
  const problems: string[] = [];
  let scans = 0;
  let deviceMessages = 0;
  const must = async (what: string, answer: Promise<{ status: number; body: unknown }>) => {
    const { status, body } = await answer;
    if (status >= 200 && status < 300) return body;
    problems.push(`${what}: ${status} ${JSON.stringify(body).slice(0, 200)}`);
    return undefined;
  };

  // the plant: machines split between two work centers, each with a maintenance plan
  const machines: Machine[] = Array.from({ length: options.machines }, (_, i) => {
    const wc = WORK_CENTERS[i % WORK_CENTERS.length] as (typeof WORK_CENTERS)[number];
    return {
      machineId: `${runId}-M${i + 1}`,
      operator: clients.operators[i % clients.operators.length] as ApiClient,
      workCenter: wc.workCenter,
      ratedKw: wc.ratedKw,
      state: 'idle',
      until: 0,
      failAt: 0,
      kWh: 0,
      total: 0,
      good: 0,
      reportedAt: 0,
    };
  });
  const idealSeconds = (product: string, wc: string) =>
    60 * (wc === 'WC-TURN' ? 1.2 : 0.8) * (1 + PRODUCTS.indexOf(product) * 0.25);
  for (const m of machines) {
    await must(
      `register ${m.machineId}`,
      clients.maintenance.post('/api/machines', {
        machineId: m.machineId,
        code: m.machineId,
        name: `${m.workCenter === 'WC-TURN' ? 'Lathe' : 'Mill'} ${m.machineId}`,
        type: m.workCenter === 'WC-TURN' ? 'lathe' : 'mill',
        workCenter: m.workCenter,
        ratedPowerKw: m.ratedKw,
        idealCycleSeconds: PRODUCTS.map((product) => ({ product, seconds: idealSeconds(product, m.workCenter) })),
      }),
    );
    const dueAt = planned + random.between(2, 20) * 3_600_000;
    await must(
      `plan ${m.machineId}`,
      clients.maintenance.post('/api/maintenance-plans', {
        planId: `PM-${m.machineId}`,
        machineId: m.machineId,
        kind: 'maintenance',
        title: 'Lubrication and chip cleaning',
        cycle: { unit: 'days', every: 1 },
        startsAt: iso(dueAt - 24 * 3_600_000),
      }),
    );
    const late = random.chance(options.lateMaintenanceRate);
    const performAt = late ? dueAt + random.between(45, 120) * MINUTE : dueAt - random.between(5, 40) * MINUTE;
    tasks.push({
      at: performAt,
      what: `maintenance of ${m.machineId}`,
      run: async (at) => {
        if (m.state === 'down' || m.job) return false; // after the current job or repair
        await setState(m, 'maintenance', at);
        m.until = at + 30 * MINUTE;
        await must(
          `perform PM-${m.machineId}`,
          clients.maintenance.post(`/api/maintenance-plans/PM-${m.machineId}/perform`, { performedAt: iso(at) }),
        );
        return true;
      },
    });
  }

  // the ERP's orders with customer priorities and due dates, sent as B2MML schedules through the day
  const BATCHES = Math.min(4, options.orders);
  const orders: Order[] = Array.from({ length: options.orders }, (_, i) => {
    const product = PRODUCTS[i % PRODUCTS.length] as string;
    return {
      batch: Math.floor((i * BATCHES) / options.orders),
      dueHours: random.between(4, Math.max(6, options.hours * 0.5)),
      arrived: false,
      orderId: `${runId}-PO-${String(i + 1).padStart(3, '0')}`,
      product,
      quantity: random.int(2, 6) * 10,
      priority: random.int(1, 9),
      due: 0,
      operations: WORK_CENTERS.map((wc, k) => ({
        operationId: `0${k + 1}0`,
        code: wc.code,
        workCenter: wc.workCenter,
        minutesPerUnit: (idealSeconds(product, wc.workCenter) / 60) * random.between(1.05, 1.25),
        inspection: wc.inspection,
      })),
      next: 0,
      released: false,
      good: 0,
    };
  });
  const scheduleXml = (batch: Order[], at: number, id: string) =>
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<ProductionSchedule xmlns="http://www.mesa.org/xml/B2MML">',
      `  <ID>${id}</ID>`,
      ...batch.map((o) =>
        [
          '  <ProductionRequest>',
          `    <ID>${o.orderId}</ID>`,
          `    <Description>${['ACME Motors', 'Nordic Pumps', 'Delta Drives'][o.priority % 3]}</Description>`,
          `    <ProductProductionRuleID>${o.product}</ProductProductionRuleID>`,
          `    <Priority>${o.priority}</Priority>`,
          `    <EarliestStartTime>${iso(at)}</EarliestStartTime>`,
          `    <LatestEndTime>${iso(o.due)}</LatestEndTime>`,
          `    <MaterialRequirement><MaterialDefinitionID>${o.product}</MaterialDefinitionID><MaterialUse>Produced</MaterialUse><Quantity><QuantityString>${o.quantity}</QuantityString><UnitOfMeasure>pcs</UnitOfMeasure></Quantity></MaterialRequirement>`,
          ...o.operations.map((op) =>
            [
              '    <SegmentRequirement>',
              `      <ID>${op.operationId}</ID>`,
              `      <ProcessSegmentID>${op.code}</ProcessSegmentID>`,
              `      <Duration>PT${Math.round(op.minutesPerUnit * o.quantity)}M</Duration>`,
              `      <EquipmentRequirement><EquipmentClassID>${op.workCenter}</EquipmentClassID></EquipmentRequirement>`,
              op.workCenter === 'WC-TURN'
                ? `      <MaterialRequirement><MaterialDefinitionID>BAR-STEEL</MaterialDefinitionID><MaterialUse>Consumed</MaterialUse><Quantity><QuantityString>${o.quantity * 0.8}</QuantityString><UnitOfMeasure>kg</UnitOfMeasure></Quantity></MaterialRequirement>`
                : '',
              op.inspection
                ? '      <SegmentParameter><ID>InspectionRequired</ID><Value>true</Value></SegmentParameter>'
                : '',
              '    </SegmentRequirement>',
            ]
              .filter(Boolean)
              .join('\n'),
          ),
          '  </ProductionRequest>',
        ].join('\n'),
      ),
      '</ProductionSchedule>',
    ].join('\n');
  /** A batch of orders arrives: the ERP's schedule, and the WMS receives their bar steel (one lot each). */
  const arrive = async (b: number, at: number): Promise<void> => {
    const batch = orders.filter((o) => o.batch === b);
    for (const o of batch) o.due = at + o.dueHours * 3_600_000;
    const id = `SCH-${runId}-${b + 1}`;
    await must(
      `schedule ${id}`,
      clients.erp.post('/api/erp/production-schedules', scheduleXml(batch, at, id), 'application/xml'),
    );
    await must(
      `receipt for ${id}`,
      clients.wms.post('/api/wms/material-receipts', {
        receiptId: `GR-${runId}-${b + 1}`,
        supplier: 'Steel Co',
        lines: batch.map((o) => ({
          lotId: `${o.orderId}-BAR`,
          material: 'BAR-STEEL',
          quantity: o.quantity,
          unit: 'kg',
          supplierLot: `SC-${o.orderId}`,
        })),
      }),
    );
    for (const o of batch) o.arrived = true;
  };

  const start = Math.ceil(options.now().getTime() / MINUTE) * MINUTE;
  const end = start + options.hours * 3_600_000;
  for (const m of machines) {
    m.failAt = start + random.exponential(options.mtbfHours) * 3_600_000;
    m.reportedAt = start;
  }

  const report = async (m: Machine, at: number, final = false): Promise<void> => {
    if (at <= m.reportedAt) return;
    if (options.nats) {
      const js = options.nats.jetstream();
      const send = (kind: string, payload: object) => {
        deviceMessages += 1;
        const h = natsHeaders();
        h.set('Nats-Msg-Id', `${m.machineId}-${kind}-${at}`);
        return js.publish(`devices.${site}.${m.machineId}.${kind}`, JSON.stringify(payload), { headers: h });
      };
      await send('energy', { kWh: Math.round(m.kWh * 1e4) / 1e4, at: iso(at - 1) });
      if (m.total > 0)
        await send('count', {
          total: m.total,
          good: m.good,
          ...(m.product ? { product: m.product } : {}),
          at: iso(at - 1),
        });
      // moves the machine's device time past its open interval, so the last one closes too
      if (final) await send('telemetry', { at: iso(at + 10 * MINUTE), values: { spindleTempC: 40 } });
    } else {
      const interval = { intervalStart: iso(m.reportedAt), intervalEnd: iso(at) };
      await must(
        `energy of ${m.machineId}`,
        clients.gateway.post(`/api/machines/${m.machineId}/energy`, {
          ...interval,
          kWh: Math.round(m.kWh * 1e4) / 1e4,
        }),
      );
      if (m.total > 0)
        await must(
          `counts of ${m.machineId}`,
          clients.gateway.post(`/api/machines/${m.machineId}/counts`, {
            ...interval,
            total: m.total,
            good: m.good,
            ...(m.product ? { product: m.product } : {}),
          }),
        );
    }
    m.kWh = 0;
    m.total = 0;
    m.good = 0;
    m.reportedAt = at;
  };
  const setState = async (m: Machine, state: MachineState, at: number, reasonCode?: string): Promise<void> => {
    if (m.state === state) return;
    m.state = state;
    const payload = { state, at: iso(at), ...(reasonCode ? { reasonCode } : {}) };
    if (options.nats) {
      const h = natsHeaders();
      deviceMessages += 1;
      h.set('Nats-Msg-Id', `${m.machineId}-state-${at}`);
      await options.nats.jetstream().publish(`devices.${site}.${m.machineId}.state`, JSON.stringify(payload), {
        headers: h,
      });
    } else await must(`state of ${m.machineId}`, clients.gateway.post(`/api/machines/${m.machineId}/state`, payload));
  };
  const scan = (job: Job, m: Machine, action: string, at: number, extra: object = {}) => {
    scans += 1;
    return must(
      `${action} ${job.order.orderId}/${job.operation.operationId}`,
      // the operator is whoever is logged in on the machine's PDA: the scan does not name them
      m.operator.post('/api/scans', {
        scanId: `${job.order.orderId}-${job.operation.operationId}-${action}`,
        card: job.card,
        action,
        machineId: m.machineId,
        at: iso(at),
        ...extra,
      }),
    );
  };

  // quality: the inspection the routing asks for; a failure raises a nonconformance (the backbone's
  // quality loop), which quality disposes as rework; the re-inspection the loop requests then passes
  const inspect = (inspectionId: string, passed: boolean, at: number): Task => ({
    at,
    what: `inspection ${inspectionId}`,
    run: async (t) => {
      const answer = await clients.quality.post(`/api/inspections/${inspectionId}/results`, {
        results: [{ characteristic: 'visual', passed }],
      });
      if (answer.status === 404) return false; // the quality loop has not requested it yet
      if (!passed) tasks.push(dispose(`NC-${inspectionId}`, `${inspectionId}-R`, t + 20 * MINUTE));
      return true;
    },
  });
  const dispose = (nonconformanceId: string, reinspectionId: string, at: number): Task => ({
    at,
    what: `disposition of ${nonconformanceId}`,
    run: async (t) => {
      const answer = await clients.quality.post(`/api/nonconformances/${nonconformanceId}/disposition`, {
        disposition: 'rework',
        note: 'rework the burr, inspect again',
      });
      if (answer.status === 404) return false;
      tasks.push(inspect(reinspectionId, true, t + 40 * MINUTE));
      return true;
    },
  });

  const release = async (): Promise<void> => {
    const open = orders.filter((o) => o.released && !done(o)).length;
    const waiting = orders
      .filter((o) => o.arrived && !o.released)
      .sort((a, b) => a.priority - b.priority || a.due - b.due)
      .slice(0, Math.max(0, options.machines * 2 - open));
    for (const order of waiting) {
      order.released = true;
      await must(`release ${order.orderId}`, clients.planner.post(`/api/orders/${order.orderId}/release`, {}));
    }
  };
  const nextJob = (m: Machine): Order | undefined =>
    orders
      .filter((o) => o.released && !done(o) && o.operations[o.next]?.workCenter === m.workCenter)
      .filter((o) => !machines.some((other) => other.job?.order === o))
      .sort((a, b) => a.priority - b.priority || a.due - b.due)[0];

  const step = async (m: Machine, t: number): Promise<void> => {
    // a minute of the machine
    m.kWh += (m.ratedKw * POWER_SHARE[m.state]) / 60;
    if ((m.state === 'maintenance' || m.state === 'down') && t >= m.until) {
      if (m.state === 'down') m.failAt = t + random.exponential(options.mtbfHours) * 3_600_000;
      await setState(m, m.job ? 'running' : 'idle', t);
    }
    if (m.state === 'down' || m.state === 'maintenance') return;
    const job = m.job;
    if (job && m.state === 'running' && t >= m.failAt) {
      await setState(m, 'down', t, random.chance(0.5) ? 'SPINDLE-ALARM' : 'TOOL-BREAK');
      m.until = t + Math.max(5 * MINUTE, random.exponential(options.mttrHours) * 3_600_000);
      return;
    }
    if (job) {
      if (m.state === 'setup' && t >= m.until) await setState(m, 'running', t);
      if (m.state !== 'running') return;
      job.carry += 1 / job.operation.minutesPerUnit;
      while (job.carry >= 1 && job.made < job.target) {
        job.carry -= 1;
        job.made += 1;
        const scrapped = random.chance(0.02);
        if (scrapped) job.scrap += 1;
        else job.good += 1;
        m.total += 1;
        m.good += scrapped ? 0 : 1;
        m.product = job.order.product;
      }
      if (job.made >= job.target) {
        await scan(job, m, 'report', t, {
          good: job.good,
          scrap: job.scrap,
          rework: 0,
          ...(job.scrap > 0 ? { scrapReason: 'DIMENSION' } : {}),
        });
        await scan(job, m, 'complete', t);
        const { order, operation } = job;
        m.job = undefined;
        await setState(m, 'idle', t);
        order.next += 1;
        order.good = job.good;
        if (operation.inspection)
          tasks.push(
            inspect(`${order.orderId}.${operation.operationId}.1`, !random.chance(options.defectRate), t + 10 * MINUTE),
          );
        if (done(order)) {
          await must(
            `finished goods of ${order.orderId}`,
            m.operator.post('/api/lots/produced', {
              lotId: `${order.orderId}-FG`,
              material: order.product,
              orderId: order.orderId,
              quantity: Math.max(1, job.good),
              unit: 'pcs',
            }),
          );
        }
      }
      return;
    }
    const order = nextJob(m);
    if (!order) return;
    const operation = order.operations[order.next] as Operation;
    const target = order.next === 0 ? order.quantity : order.good;
    // the machine holds the job before it waits for the card, so no other machine takes it meanwhile
    m.job = { order, operation, card: '', target, made: 0, good: 0, scrap: 0, carry: 0 };
    const card = (await must(
      `card of ${order.orderId}/${operation.operationId}`,
      m.operator.get(`/api/orders/${order.orderId}/operations/${operation.operationId}/card`),
    )) as { payload: string } | undefined;
    if (!card) {
      m.job = undefined;
      return;
    }
    m.job.card = card.payload;
    await scan(m.job, m, 'start', t);
    if (operation.workCenter === 'WC-TURN')
      await must(
        `issue to ${order.orderId}`,
        m.operator.post(`/api/lots/${order.orderId}-BAR/issue`, {
          orderId: order.orderId,
          operationId: operation.operationId,
          quantity: order.quantity * 0.8,
        }),
      );
    await setState(m, 'setup', t);
    m.until = t + 15 * MINUTE;
  };

  for (let t = start; t < end; t += MINUTE) {
    const ahead = t - options.now().getTime();
    if (ahead > 0) await sleep(ahead / options.factor);
    for (let b = 0; b < BATCHES; b += 1) {
      const arrival = start + Math.round((b * options.hours * 60) / (BATCHES + 1)) * MINUTE;
      if (t === arrival) await arrive(b, t);
    }
    if ((t - start) % (15 * MINUTE) === 0) await release();
    await Promise.all(machines.map((m) => step(m, t)));
    const due = tasks.filter((task) => task.at <= t);
    for (const task of due) {
      if (await task.run(t)) tasks.splice(tasks.indexOf(task), 1);
      else task.at = t + 5 * MINUTE;
    }
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
  return {
    runId,
    start: iso(start),
    end: iso(end),
    machines: machines.map((m) => m.machineId),
    orders: orders.map((o) => ({ orderId: o.orderId, product: o.product, due: iso(o.due) })),
    products: PRODUCTS,
    scans,
    deviceMessages,
    problems,
  };
};

export type SimulationRun = Awaited<ReturnType<typeof runPlantSimulation>>;
