import { MINUTE, iso } from './catalog';
import type { ApiClient, Must } from './client';
import { SETUP_MINUTES, type Job, type Machine, type StateChange } from './machineModel';
import { afterJob, issueFor, jobFor, nextOrderFor, reportOf } from './orderFlow';
import type { Order } from './orderPlan';
import type { Random } from './simClock';

export type CrewDeps = {
  /** The operator logged in on the machine's PDA: scans name nobody, the session says who. */
  operatorOf: (m: Machine) => ApiClient;
  must: Must;
  random: Random;
  /** The share of inspections that fail. */
  defectRate: number;
  orders: readonly Order[];
  machines: readonly Machine[];
  setState: (m: Machine, change: StateChange) => Promise<void>;
  /** Schedules the inspection an operation asks for. */
  inspect: (inspectionId: string, passed: boolean, at: number) => void;
};

/**
 * The operators at the machines: they give an idle machine the most urgent job (card, start scan,
 * material issue, set-up) and finish a job when its units are made (report, complete, the inspection,
 * the finished goods). The decisions are orderFlow's; this sends them.
 */
export const createCrew = (deps: CrewDeps) => {
  const { operatorOf, must, machines } = deps;
  let scans = 0;
  const scan = (job: Job, m: Machine, action: string, at: number, extra: object = {}) => {
    scans += 1;
    return must(
      `${action} ${job.order.orderId}/${job.operation.operationId}`,
      operatorOf(m).post('/api/scans', {
        scanId: `${job.order.orderId}-${job.operation.operationId}-${action}`,
        card: job.card,
        action,
        machineId: m.machineId,
        at: iso(Math.max(at, job.order.releasedAt ?? at)),
        ...extra,
      }),
    );
  };

  const complete = async (m: Machine, job: Job, t: number): Promise<void> => {
    await scan(job, m, 'report', t, reportOf(job));
    await scan(job, m, 'complete', t);
    await deps.setState(m, { state: 'idle', at: t });
    // the machine lets go of the job only as the order moves on, so no other machine takes the operation again
    m.job = undefined;
    const after = afterJob(job, t, deps.random, deps.defectRate);
    job.order.next = after.next;
    job.order.good = after.good;
    if (after.inspection) deps.inspect(after.inspection.inspectionId, after.inspection.passed, after.inspection.at);
    if (after.finishedGoods)
      await must(
        `finished goods of ${job.order.orderId}`,
        operatorOf(m).post('/api/lots/produced', after.finishedGoods),
      );
  };

  const dispatch = async (m: Machine, t: number): Promise<void> => {
    const order = nextOrderFor(deps.orders, m.workCenter, (o) => machines.some((other) => other.job?.order === o));
    const job = order && jobFor(order);
    if (!job) return;
    // the machine holds the job before it waits for the card, so no other machine takes it meanwhile
    m.job = job;
    const { orderId } = job.order;
    const { operationId } = job.operation;
    const card = (await must(
      `card of ${orderId}/${operationId}`,
      operatorOf(m).get(`/api/orders/${orderId}/operations/${operationId}/card`),
    )) as { payload: string } | undefined;
    if (!card) {
      m.job = undefined;
      return;
    }
    job.card = card.payload;
    await scan(job, m, 'start', t);
    const issue = issueFor(job);
    if (issue) await must(`issue to ${orderId}`, operatorOf(m).post(`/api/lots/${issue.lotId}/issue`, issue.body));
    await deps.setState(m, { state: 'setup', at: t });
    m.until = t + SETUP_MINUTES * MINUTE;
  };

  return { complete, dispatch, scans: () => scans };
};
