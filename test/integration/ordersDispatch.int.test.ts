import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createSqliteCheckpointStore } from '../../src/adapters/checkpoints/sqliteCheckpointStore';
import { createSqliteReadStore } from '../../src/adapters/readstore/sqliteReadStore';
import type { CommandContext } from '../../src/app/commandHandler';
import { importSchedule } from '../../src/app/integrationImports';
import { cardPayload } from '../../src/app/operationCards';
import { comparePositions } from '../../src/app/eventStore';
import type { ReadStore } from '../../src/app/readStore';
import type { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import type { CommandMeta } from '../../src/domain/messages';
import type { OrderSpec } from '../../src/domain/order';
import { createLogger } from '../../src/lib/logger';
import { startServices, type Services } from '../../src/main/services';
import { createProjections } from '../../src/projections';
import { startReadModels, type ReadModelsRuntime } from '../../src/projections/manager';
import { createReadModelQueries, type ReadModelQueries } from '../../src/projections/queries';
import { operation, orderSpec } from '../support/fixtures';
import { openPlantStore } from '../support/plantDay';
import { TEST_PLANT } from '../support/readStoreDump';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';

type Entry = { orderId: string; operationId: string; priority: number; dueDate: string; criticalRatio: number | null };

/**
 * Orders as the WIP and the dispatch queues show them, and the labour that ends with the work: the
 * real command handler, process managers and projections on SQLite, on a clock the test moves.
 */
describe('orders, dispatch queues and clock-outs (SQLite, controlled clock)', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-orders-');
  const cardKey = randomBytes(32);
  let store: SqliteEventStore;
  let readStore: ReadStore;
  let services: Services;
  let runtime: ReadModelsRuntime;
  let q: ReadModelQueries;
  let now = new Date('2026-11-25T00:00:00.000Z');
  const at = (iso: string): void => {
    now = new Date(iso);
  };
  const meta = (actor = 'planner-1'): CommandMeta => ({ now: now.toISOString(), actor });
  let n = 0;
  const ctx = (): CommandContext => ({ commandId: `t-${(n += 1)}`, correlationId: `c-${n}`, source: 'api' });

  const open = async (): Promise<void> => {
    store = openPlantStore(temp.dir);
    services = await startServices({
      store,
      checkpoints: createSqliteCheckpointStore(join(temp.dir, 'checkpoints.db')),
      logger: createLogger('error'),
      cardKey,
      clock: () => now,
      overdueIntervalMs: 0,
    });
    runtime = await startReadModels({ store, readStore, logger: createLogger('error') }, createProjections(TEST_PLANT));
    q = createReadModelQueries(readStore, TEST_PLANT, () => now);
  };
  const close = async (): Promise<void> => {
    await runtime.stop();
    await services.stop();
    await store.close();
  };
  /** Every process manager done, and what it caused projected. */
  const settled = async (): Promise<void> => {
    await services.settle();
    await runtime.idle();
    // idle() can count an event the subscription has read ahead but not yet applied as passed: wait
    // until the read models the test asks have committed the log's head
    const head = await store.headPosition();
    for (const projection of ['wip', 'masterData'])
      await waitFor(async () => {
        const namespace = await readStore.active(projection);
        const position = namespace ? (await readStore.checkpoint(namespace))?.position : undefined;
        return comparePositions(position, head) >= 0;
      }, `${projection} at ${head}`);
  };
  const order = (orderId: string, command: Record<string, unknown> & { type: string }) =>
    services.commands.handle(
      'order',
      orderId,
      { ...command, data: { orderId, ...(command['data'] as object) }, meta: meta() } as never,
      ctx(),
    );
  const plan = (orderId: string, spec: OrderSpec) => order(orderId, { type: 'PlanOrder', data: { spec } });
  const release = (orderId: string) => order(orderId, { type: 'ReleaseOrder', data: {} });
  const scan = (
    operatorId: string,
    orderId: string,
    operationId: string,
    action: 'start' | 'resume' | 'complete',
    scannedAt?: string,
  ) =>
    services.scans.handle(
      {
        scanId: `scan-${(n += 1)}`,
        card: cardPayload(cardKey, { orderId, operationId }),
        action,
        operatorId,
        ...(action === 'complete' ? { good: 1 } : {}),
        ...(scannedAt ? { at: scannedAt } : {}),
      },
      { personId: operatorId },
      meta(operatorId),
      `pda-${n}`,
    );
  const clockOuts = async (operatorId: string) =>
    (await store.readStream(`operator-${operatorId}`))
      .filter((e) => e.type === 'OperatorClockedOut')
      .map((e) => e.data as { orderId: string; operationId: string; endedAt: string; minutes: number });
  const openClockings = async (operatorId: string) => (await services.commands.load('operator', operatorId)).state.open;
  const queueOf = async (workCenter: string) =>
    ((await q.wip.workCenter(workCenter))['queue'] as Entry[]).map((e) => e.orderId);

  before(async () => {
    readStore = createSqliteReadStore(join(temp.dir, 'read.db'));
    await open();
  });
  after(async () => {
    await close();
    await readStore.close();
    temp.remove();
  });

  it('WIP shows InProgress from the first operation started until the order completes', async () => {
    at('2026-11-25T08:00:00.000Z');
    await plan(
      'PO-W',
      orderSpec({ quantity: 1 }, [
        operation('010', { workCenter: 'WC-W1' }),
        operation('020', { workCenter: 'WC-W2' }),
      ]),
    );
    await release('PO-W');
    await settled();
    expect((await q.wip.order('PO-W'))['status']).to.equal('Released');
    at('2026-11-25T09:00:00.000Z');
    await scan('op-w', 'PO-W', '010', 'start');
    await settled();
    const started = await q.wip.order('PO-W');
    expect(started['status'], 'an operation runs').to.equal('InProgress');
    expect((started['operations'] as Array<{ status: string }>).map((op) => op.status)).to.deep.equal([
      'running',
      'pending',
    ]);
    await scan('op-w', 'PO-W', '010', 'complete');
    await settled();
    expect((await q.wip.order('PO-W'))['status'], 'between operations').to.equal('InProgress');
    await scan('op-w', 'PO-W', '020', 'start');
    await scan('op-w', 'PO-W', '020', 'complete');
    await settled();
    expect((await q.wip.order('PO-W'))['status']).to.equal('Completed');
    expect((await q.wip.orders({ filter: { status: 'InProgress' } })).items.map((o) => o['orderId'])).to.deep.equal([]);
  });

  it('sorts orders by the instant of their due date, whatever its offset', async () => {
    // 09:00+08:00 is 01:00Z, 20:30-05:00 the day before is 01:30Z, then 02:00Z: as strings the order is reversed
    const dues = {
      'PO-D1': '2026-12-01T09:00:00+08:00',
      'PO-D2': '2026-12-01T02:00:00Z',
      'PO-D3': '2026-11-30T20:30:00-05:00',
    };
    for (const [orderId, dueDate] of Object.entries(dues)) await plan(orderId, orderSpec({ product: 'DUE', dueDate }));
    await settled();
    const sorted = async (direction: 1 | -1) =>
      (await q.wip.orders({ filter: { product: 'DUE' }, sort: { field: 'dueDate', direction } })).items.map(
        (o) => o['orderId'],
      );
    expect(await sorted(1)).to.deep.equal(['PO-D1', 'PO-D3', 'PO-D2']);
    expect(await sorted(-1)).to.deep.equal(['PO-D2', 'PO-D3', 'PO-D1']);
    // paging keeps the instant order across pages
    const first = await q.wip.orders({
      filter: { product: 'DUE' },
      sort: { field: 'dueDate', direction: 1 },
      limit: 2,
    });
    const rest = await q.wip.orders({
      filter: { product: 'DUE' },
      sort: { field: 'dueDate', direction: 1 },
      limit: 2,
      cursor: first.nextCursor,
    });
    expect([...first.items, ...rest.items].map((o) => o['orderId'])).to.deep.equal(['PO-D1', 'PO-D3', 'PO-D2']);
    expect((await q.wip.order('PO-D3'))['dueAt']).to.equal(Date.parse('2026-12-01T01:30:00Z'));
  });

  it('accepts a priority-only revision of a released order before and after a restart', async () => {
    at('2026-11-25T10:00:00.000Z');
    const spec = orderSpec({ product: 'REV' }, [
      operation('010', {
        workCenter: 'WC-R',
        characteristics: [{ name: 'bore', kind: 'measured', lower: 9, upper: 11 }],
      }),
    ]);
    await plan('PO-R', spec);
    await release('PO-R');
    const before = await order('PO-R', { type: 'ReviseOrder', data: { spec: { ...spec, priority: 2 } } });
    expect(before.events.map((e) => e.type)).to.deep.equal(['OrderRevised']);
    // a restart: the order is read back from the store (its spec in canonical JSON, members sorted)
    await close();
    await open();
    const after = await order('PO-R', { type: 'ReviseOrder', data: { spec: { ...spec, priority: 1 } } });
    expect(after.events.map((e) => e.type)).to.deep.equal(['OrderRevised']);
    const same = await order('PO-R', { type: 'ReviseOrder', data: { spec: { ...spec, priority: 1 } } });
    expect(same.events, 'the same spec again writes nothing').to.deep.equal([]);
    await settled();
    expect((await q.wip.order('PO-R'))['priority']).to.equal(1);
  });

  it('moves queued operations to their order’s revised priority, due date and quantity', async () => {
    at('2026-11-25T11:00:00.000Z');
    const wc = [operation('010', { workCenter: 'WC-Q', setupMinutes: 30, standardMinutesPerUnit: 1 })];
    await plan('PO-Q1', orderSpec({ product: 'Q', quantity: 30, priority: 3, dueDate: '2026-12-03T00:00:00Z' }, wc));
    await plan('PO-Q2', orderSpec({ product: 'Q', quantity: 30, priority: 3, dueDate: '2026-12-05T00:00:00Z' }, wc));
    await release('PO-Q1');
    await release('PO-Q2');
    await settled();
    expect(await queueOf('WC-Q')).to.deep.equal(['PO-Q1', 'PO-Q2']);
    expect((await q.wip.workCenter('WC-Q'))['loadHours']).to.equal(2); // 2 x (30 + 30 x 1) = 120 min

    // PO-Q2 becomes more urgent
    const q2 = orderSpec({ product: 'Q', quantity: 30, priority: 2, dueDate: '2026-12-05T00:00:00Z' }, wc);
    await order('PO-Q2', { type: 'ReviseOrder', data: { spec: q2 } });
    await settled();
    expect(await queueOf('WC-Q')).to.deep.equal(['PO-Q2', 'PO-Q1']);
    const queue = (await services.commands.load('workcenter', 'WC-Q')).state.entries;
    expect(queue.map((e) => [e.orderId, e.priority])).to.deep.equal([
      ['PO-Q2', 2],
      ['PO-Q1', 3],
    ]);

    // PO-Q1 takes the same priority, a later due date (in +08:00) and 90 units
    const q1 = orderSpec({ product: 'Q', quantity: 90, priority: 2, dueDate: '2026-12-06T08:00:00+08:00' }, wc);
    await order('PO-Q1', { type: 'ReviseOrder', data: { spec: q1 } });
    await settled();
    const revised = await q.wip.workCenter('WC-Q');
    expect((revised['queue'] as Entry[]).map((e) => [e.orderId, e.priority, e.dueDate])).to.deep.equal([
      ['PO-Q2', 2, '2026-12-05T00:00:00Z'],
      ['PO-Q1', 2, '2026-12-06T08:00:00+08:00'],
    ]);
    expect(revised['loadHours']).to.equal(3); // 60 + (30 + 90 x 1) = 180 min
  });

  it('an ERP schedule that revises a released order moves its queued operation too', async () => {
    at('2026-11-25T11:30:00.000Z');
    const wc = [operation('010', { workCenter: 'WC-E', setupMinutes: 0, standardMinutesPerUnit: 1 })];
    const erp = (orderId: string, priority: number, dueDate: string) => ({
      orderId,
      path: `ProductionSchedule/ProductionRequest[${orderId}]`,
      fields: {},
      spec: orderSpec({ product: 'E', quantity: 60, priority, dueDate, source: 'erp', erpRequestId: orderId }, wc),
    });
    const first = [erp('PO-E1', 4, '2026-12-01T00:00:00Z'), erp('PO-E2', 4, '2026-12-02T00:00:00Z')];
    await importSchedule({ commands: services.commands }, first, meta('erp'), 'erp-1');
    await release('PO-E1');
    await release('PO-E2');
    await settled();
    expect(await queueOf('WC-E')).to.deep.equal(['PO-E1', 'PO-E2']);
    // the next schedule brings PO-E2 forward: due a day before PO-E1, in the ERP's +08:00
    const next = [erp('PO-E2', 4, '2026-11-30T08:00:00+08:00')];
    const outcome = await importSchedule({ commands: services.commands }, next, meta('erp'), 'erp-2');
    expect(outcome.map((o) => o.outcome)).to.deep.equal(['revised']);
    await settled();
    expect(await queueOf('WC-E')).to.deep.equal(['PO-E2', 'PO-E1']);
  });

  it('cancel takes the order’s ready and running operations off the work centers and clocks its operators out', async () => {
    at('2026-11-25T08:00:00.000Z');
    await plan('PO-C', {
      ...orderSpec({ product: 'C', quantity: 10 }),
      routing: {
        overlap: true,
        operations: [
          operation('010', { workCenter: 'WC-C1', setupMinutes: 0, standardMinutesPerUnit: 6 }),
          operation('020', { workCenter: 'WC-C2', setupMinutes: 0, standardMinutesPerUnit: 12 }),
        ],
      },
    });
    await release('PO-C');
    at('2026-11-25T09:00:00.000Z');
    await scan('op-c', 'PO-C', '010', 'start'); // with overlap, 020 is ready once 010 has started
    await settled();
    expect((await q.wip.workCenter('WC-C1'))['running']).to.have.length(1);
    expect((await q.wip.workCenter('WC-C1'))['loadHours']).to.equal(1); // 10 x 6 min
    expect(await queueOf('WC-C2')).to.deep.equal(['PO-C']);
    expect((await q.wip.workCenter('WC-C2'))['loadHours']).to.equal(2); // 10 x 12 min

    at('2026-11-25T11:00:00.000Z');
    await order('PO-C', { type: 'CancelOrder', data: { reason: 'customer cancelled' } });
    await settled();
    for (const workCenter of ['WC-C1', 'WC-C2']) {
      const doc = await q.wip.workCenter(workCenter);
      expect([doc['queue'], doc['running'], doc['loadHours']], workCenter).to.deep.equal([[], [], 0]);
    }
    expect((await services.commands.load('workcenter', 'WC-C2')).state.entries).to.deep.equal([]);
    expect(await openClockings('op-c')).to.deep.equal({});
    expect(await clockOuts('op-c')).to.deep.equal([
      {
        operatorId: 'op-c',
        orderId: 'PO-C',
        operationId: '010',
        startedAt: '2026-11-25T09:00:00.000Z',
        endedAt: '2026-11-25T11:00:00.000Z',
        minutes: 120,
      },
    ]);
  });

  it('a hold clocks the order’s operators out at the time of the hold', async () => {
    at('2026-11-25T09:00:00.000Z');
    await plan('PO-H', orderSpec({ product: 'H', quantity: 10 }, [operation('010', { workCenter: 'WC-H' })]));
    await release('PO-H');
    await scan('op-h', 'PO-H', '010', 'start');
    at('2026-11-25T09:45:00.000Z');
    await order('PO-H', { type: 'HoldOrder', data: { reason: 'material shortage' } });
    await settled();
    expect(await openClockings('op-h')).to.deep.equal({});
    expect((await clockOuts('op-h')).map((c) => [c.endedAt, c.minutes])).to.deep.equal([
      ['2026-11-25T09:45:00.000Z', 45],
    ]);
    // the material comes: the order resumes, its operation still running; a scan clocks the operator back on
    at('2026-11-25T10:30:00.000Z');
    await order('PO-H', { type: 'ResumeOrder', data: {} });
    // an offline scan queued during the hold (10:00) arrives now: the join is clocked at 10:30, not paid before
    await scan('op-h', 'PO-H', '010', 'resume', '2026-11-25T10:00:00.000Z');
    await settled();
    const clockIns = (await store.readStream('operator-op-h')).filter((e) => e.type === 'OperatorClockedIn');
    expect(
      clockIns.map((e) => (e.data as { at?: string; clockedInAt?: string }).at ?? e.data['clockedInAt']),
    ).to.deep.equal(['2026-11-25T09:00:00.000Z', '2026-11-25T10:30:00.000Z']);
    expect(Object.keys(await openClockings('op-h'))).to.have.length(1);
  });

  it('remembers who is clocked in across a restart of the process managers', async () => {
    at('2026-11-25T08:00:00.000Z');
    await plan('PO-K', orderSpec({ product: 'K', quantity: 10 }, [operation('010', { workCenter: 'WC-K' })]));
    await release('PO-K');
    await scan('op-k', 'PO-K', '010', 'start');
    await settled(); // the clock-out process has passed the clock-in: it is behind its checkpoint now
    await close();
    await open();
    at('2026-11-25T08:30:00.000Z');
    await order('PO-K', { type: 'CancelOrder', data: { reason: 'duplicate order' } });
    await settled();
    expect((await clockOuts('op-k')).map((c) => [c.endedAt, c.minutes])).to.deep.equal([
      ['2026-11-25T08:30:00.000Z', 30],
    ]);
  });

  it('an operation completed by another operator clocks out the one still on it', async () => {
    at('2026-11-25T08:00:00.000Z');
    await plan('PO-X', orderSpec({ product: 'X', quantity: 10 }, [operation('010', { workCenter: 'WC-X' })]));
    await release('PO-X');
    await scan('op-first', 'PO-X', '010', 'start');
    at('2026-11-25T10:00:00.000Z');
    await scan('op-second', 'PO-X', '010', 'complete');
    await settled();
    expect(await openClockings('op-first')).to.deep.equal({});
    expect((await clockOuts('op-first')).map((c) => [c.operationId, c.endedAt, c.minutes])).to.deep.equal([
      ['010', '2026-11-25T10:00:00.000Z', 120],
    ]);
    expect(await clockOuts('op-second'), 'never clocked in, so nothing to clock out').to.deep.equal([]);
  });

  it('orders a queue by critical ratio where the work center or the plant says so (worked example)', async () => {
    at('2026-11-25T06:00:00.000Z');
    const single = (std: number, setup = 0) => [
      operation('010', { workCenter: 'WC-CR', setupMinutes: setup, standardMinutesPerUnit: std }),
    ];
    // remaining standard time (10 units) and time to due at 08:00Z; critical ratio = time to due / remaining
    // CR-A: priority 1, 20 + 10 x 70 = 720 min, due 24 h later = 1440 min        → 2.0
    // CR-B: priority 3, 10 x 48 = 480 min, due 20:00+08:00 = 12:00Z, 240 min     → 0.5
    // CR-C: priority 2, 20 + 10 x 10 = 120 min, due 02:00-05:00 = 07:00Z, -60    → -0.5 (past due)
    // CR-D: priority 2, 480 here + 480 at WC-CR2 = 960 min, due 16:00Z, 480 min  → 0.5 (ties B; priority 2 first)
    await plan(
      'CR-A',
      orderSpec({ product: 'CR', quantity: 10, priority: 1, dueDate: '2026-11-26T08:00:00Z' }, single(70, 20)),
    );
    await plan(
      'CR-B',
      orderSpec({ product: 'CR', quantity: 10, priority: 3, dueDate: '2026-11-25T20:00:00+08:00' }, single(48)),
    );
    await plan(
      'CR-C',
      orderSpec({ product: 'CR', quantity: 10, priority: 2, dueDate: '2026-11-25T02:00:00-05:00' }, single(10, 20)),
    );
    await plan(
      'CR-D',
      orderSpec({ product: 'CR', quantity: 10, priority: 2, dueDate: '2026-11-25T16:00:00Z' }, [
        ...single(48),
        operation('020', { workCenter: 'WC-CR2', setupMinutes: 0, standardMinutesPerUnit: 48 }),
      ]),
    );
    for (const orderId of ['CR-A', 'CR-B', 'CR-C', 'CR-D']) await release(orderId);
    at('2026-11-25T08:00:00.000Z');
    await settled();
    const DEFAULT_ORDER = ['CR-A', 'CR-C', 'CR-D', 'CR-B']; // priority, then due date
    const CR_ORDER = ['CR-C', 'CR-D', 'CR-B', 'CR-A'];
    expect(await queueOf('WC-CR'), 'no rule configured: priority then due date').to.deep.equal(DEFAULT_ORDER);

    const plantCr = createReadModelQueries(readStore, { ...TEST_PLANT, dispatchRule: 'critical-ratio' }, () => now);
    const ranked = await plantCr.wip.workCenter('WC-CR');
    expect(ranked['dispatchRule']).to.equal('critical-ratio');
    expect((ranked['queue'] as Entry[]).map((e) => [e.orderId, e.criticalRatio])).to.deep.equal([
      ['CR-C', -0.5],
      ['CR-D', 0.5],
      ['CR-B', 0.5],
      ['CR-A', 2],
    ]);

    // the work center's own record wins over the plant's rule
    const record = (dispatchRule: string) => ({
      code: 'WC-CR',
      effectiveFrom: '2026-11-25T00:00:00Z',
      record: { names: { 'zh-CN': '临界比工作中心', en: 'CR work center' }, site: 'S1', dispatchRule },
    });
    await services.commands.handle(
      'site',
      'S1',
      { type: 'DefineSite', data: { code: 'S1', record: { names: { en: 'Site 1' } } }, meta: meta() } as never,
      ctx(),
    );
    await services.commands.handle(
      'workCenterDef',
      'WC-CR',
      { type: 'DefineWorkCenter', data: record('critical-ratio'), meta: meta() } as never,
      ctx(),
    );
    await settled();
    expect(await queueOf('WC-CR'), 'the work center says critical ratio').to.deep.equal(CR_ORDER);
    expect((await plantCr.wip.workCenter('WC-CR'))['dispatchRule']).to.equal('critical-ratio');
    await services.commands.handle(
      'workCenterDef',
      'WC-CR',
      { type: 'ReviseWorkCenter', data: record('priority-due-date'), meta: meta() } as never,
      ctx(),
    );
    await settled();
    expect(
      await plantCr.wip.workCenter('WC-CR').then((d) => (d['queue'] as Entry[]).map((e) => e.orderId)),
    ).to.deep.equal(DEFAULT_ORDER);
  });
});
