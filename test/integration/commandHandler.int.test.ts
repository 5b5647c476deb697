import { expect } from 'chai';
import { join } from 'node:path';
import { createEventCodec } from '../../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore, type SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { createCommandHandler } from '../../src/app/commandHandler';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { IllegalStateError, ValidationError, WrongExpectedRevisionError } from '../../src/domain/errors';
import { upcasters } from '../../src/domain/upcasters';
import { makeTempDir } from '../support/tmp';
import { rejection } from '../support/assert';
import { orderSpec } from '../support/fixtures';

const NOW = '2026-11-25T08:00:00.000Z';
const meta = { now: NOW, actor: 'planner-1' };
const spec = orderSpec();

describe('command handler (SQLite)', () => {
  const temp = makeTempDir('mes-cmd-');
  let store: SqliteEventStore;
  let id = 0;
  const ctx = (overrides: { commandId?: string; expectedRevision?: number } = {}) => ({
    commandId: `c-${(id += 1)}`,
    correlationId: 'corr',
    source: 'api' as const,
    ...overrides,
  });
  const startedOrder = async (handler: ReturnType<typeof createCommandHandler>, orderId: string) => {
    await handler.handle('order', orderId, { type: 'PlanOrder', data: { orderId, spec }, meta }, ctx());
    await handler.handle('order', orderId, { type: 'ReleaseOrder', data: { orderId }, meta }, ctx());
    await handler.handle(
      'order',
      orderId,
      { type: 'StartOperation', data: { orderId, operationId: '010' }, meta },
      ctx(),
    );
  };

  before(() => {
    store = createSqliteEventStore({
      path: join(temp.dir, 'events.db'),
      codec: createEventCodec(loadSchemaRegistry(), upcasters),
    });
  });
  after(async () => {
    await store.close();
    temp.remove();
  });

  it('loses no update when many commands act on one order at once', async () => {
    const handler = createCommandHandler({ store, maxRetries: 50 });
    await startedOrder(handler, 'PO-C1');
    const reports = Array.from({ length: 30 }, () =>
      handler.handle(
        'order',
        'PO-C1',
        { type: 'ReportQuantity', data: { orderId: 'PO-C1', operationId: '010', good: 1, scrap: 0, rework: 0 }, meta },
        ctx(),
      ),
    );
    await Promise.all(reports);
    const { state } = await createCommandHandler({ store }).load('order', 'PO-C1');
    expect(state.status === 'InProgress' && state.operations[0]?.good).to.equal(30);
    expect((await store.readStream('order-PO-C1')).length).to.equal(4 + 30);
  });

  it('writes nothing for a command id it has already handled, and says so', async () => {
    const handler = createCommandHandler({ store });
    await startedOrder(handler, 'PO-C2');
    const command = {
      type: 'ReportQuantity' as const,
      data: { orderId: 'PO-C2', operationId: '010', good: 5, scrap: 0, rework: 0 },
      meta,
    };
    const first = await handler.handle('order', 'PO-C2', command, ctx({ commandId: 'pda-retry-1' }));
    const again = await handler.handle('order', 'PO-C2', command, ctx({ commandId: 'pda-retry-1' }));
    const fresh = await createCommandHandler({ store }).handle(
      'order',
      'PO-C2',
      command,
      ctx({ commandId: 'pda-retry-1' }),
    );
    expect(first.duplicate).to.equal(false);
    expect([again.duplicate, fresh.duplicate]).to.deep.equal([true, true]);
    expect(
      (await store.readStream('order-PO-C2')).filter((e) => e.type === 'OperationQuantityReported'),
    ).to.have.length(1);
  });

  it('keeps its window of command ids for ids that can come again: one-off ids do not push them out', async () => {
    const handler = createCommandHandler({ store, rememberCommands: 2 });
    await startedOrder(handler, 'PO-C2b');
    const report = {
      type: 'ReportQuantity' as const,
      data: { orderId: 'PO-C2b', operationId: '010', good: 1, scrap: 0, rework: 0 },
      meta,
    };
    await handler.handle('order', 'PO-C2b', report, ctx({ commandId: 'device-window-1' }));
    for (let i = 0; i < 3; i += 1) await handler.handle('order', 'PO-C2b', report, { ...ctx(), oneOff: true });
    const again = await handler.handle('order', 'PO-C2b', report, ctx({ commandId: 'device-window-1' }));
    expect(again.duplicate).to.equal(true);
    expect(
      (await store.readStream('order-PO-C2b')).filter((e) => e.type === 'OperationQuantityReported'),
    ).to.have.length(4);
  });

  it('answers a stale If-Match revision with the typed conflict instead of retrying', async () => {
    const handler = createCommandHandler({ store });
    await startedOrder(handler, 'PO-C3');
    const stale = handler.handle(
      'order',
      'PO-C3',
      { type: 'HoldOrder', data: { orderId: 'PO-C3', reason: 'x' }, meta },
      ctx({ expectedRevision: 1 }),
    );
    const error = await rejection(stale); // should refuse
    expect(error).to.be.instanceOf(WrongExpectedRevisionError);
    expect(error).to.include({ streamId: 'order-PO-C3', expected: 1, actual: 3 });
    const ok = await handler.handle(
      'order',
      'PO-C3',
      { type: 'HoldOrder', data: { orderId: 'PO-C3', reason: 'x' }, meta },
      ctx({ expectedRevision: 3 }),
    );
    expect(ok.revision).to.equal(4);
  });

  it('decides on what another writer did meanwhile, not on its cached state', async () => {
    const mine = createCommandHandler({ store });
    const theirs = createCommandHandler({ store });
    await mine.handle('order', 'PO-C4', { type: 'PlanOrder', data: { orderId: 'PO-C4', spec }, meta }, ctx());
    await mine.handle('order', 'PO-C4', { type: 'ReleaseOrder', data: { orderId: 'PO-C4' }, meta }, ctx());
    await theirs.handle(
      'order',
      'PO-C4',
      { type: 'StartOperation', data: { orderId: 'PO-C4', operationId: '010' }, meta },
      ctx(),
    );
    const error = await rejection(
      mine.handle(
        'order',
        'PO-C4',
        { type: 'StartOperation', data: { orderId: 'PO-C4', operationId: '010' }, meta },
        ctx(),
      ),
    ); // should refuse
    expect(error).to.be.instanceOf(IllegalStateError);
    expect((error as IllegalStateError).rule).to.equal('operation-running');
  });

  it('accepts what another writer made possible meanwhile, though its cached state would refuse it', async () => {
    const mine = createCommandHandler({ store });
    const theirs = createCommandHandler({ store });
    await mine.handle('order', 'PO-C6', { type: 'PlanOrder', data: { orderId: 'PO-C6', spec }, meta }, ctx());
    await theirs.handle('order', 'PO-C6', { type: 'ReleaseOrder', data: { orderId: 'PO-C6' }, meta }, ctx());
    const started = await mine.handle(
      'order',
      'PO-C6',
      { type: 'StartOperation', data: { orderId: 'PO-C6', operationId: '010' }, meta },
      ctx(),
    );
    expect(started.events.map((e) => e.type)).to.deep.equal(['OperationStarted']);
  });

  it('loads a stream unchanged since it was read without reading it again, and what any writer appended since', async () => {
    await startedOrder(createCommandHandler({ store }), 'PO-C7');
    let reads = 0;
    const counted: SqliteEventStore = {
      ...store,
      readStream: (...args) => ((reads += 1), store.readStream(...args)),
    };
    const handler = createCommandHandler({ store: counted });
    const first = await handler.load('order', 'PO-C7');
    expect(reads).to.equal(1);
    // the log has not changed (its change mark is the same): the state as read is the state now
    expect((await handler.load('order', 'PO-C7')).state).to.equal(first.state);
    expect(reads).to.equal(1);
    // another connection to the file (another process) appends: the next load reads the stream again
    const other = createSqliteEventStore({
      path: join(temp.dir, 'events.db'),
      codec: createEventCodec(loadSchemaRegistry(), upcasters),
    });
    try {
      await createCommandHandler({ store: other }).handle(
        'order',
        'PO-C7',
        { type: 'ReportQuantity', data: { orderId: 'PO-C7', operationId: '010', good: 2, scrap: 0, rework: 0 }, meta },
        ctx(),
      );
    } finally {
      await other.close();
    }
    const after = await handler.load('order', 'PO-C7');
    expect([after.revision, reads]).to.deep.equal([first.revision + 1, 2]);
    expect(after.state.status === 'InProgress' && after.state.operations[0]?.good).to.equal(2);
    // so does an append through this connection, by any handler of the process
    await createCommandHandler({ store }).handle(
      'order',
      'PO-C7',
      { type: 'ReportQuantity', data: { orderId: 'PO-C7', operationId: '010', good: 1, scrap: 0, rework: 0 }, meta },
      ctx(),
    );
    expect((await handler.load('order', 'PO-C7')).revision).to.equal(first.revision + 2);
    expect(reads).to.equal(3);
  });

  it('validates what a command decided against schemas/ before appending, naming the field', async () => {
    const handler = createCommandHandler({ store });
    const error = await rejection(
      handler.handle(
        'order',
        'PO-C5',
        { type: 'PlanOrder', data: { orderId: 'PO-C5', spec: { ...spec, priority: 12 } }, meta },
        ctx(),
      ),
    ); // should refuse
    expect(error).to.be.instanceOf(ValidationError);
    expect((error as ValidationError).problems.map((p) => p.path)).to.include('/events/0/data/spec/priority');
    expect(await store.readStream('order-PO-C5')).to.deep.equal([]);
  });
});
