// npm run bench:domain [-- --json]
// A command on an order with 5,000 events: its domain time (decide and evolve) must stay under 2 ms,
// beside the same command on an order with 10 events, and a raw append, in the same run.
import { join } from 'node:path';
import { createEventCodec } from '../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore } from '../src/adapters/eventstore/sqlite/sqliteEventStore';
import { createCommandHandler, type CommandHandler } from '../src/app/commandHandler';
import { loadSchemaRegistry } from '../src/app/schemaRegistry';
import { upcasters } from '../src/domain/upcasters';
import { makeTempDir } from '../test/support/tmp';
import { operation, orderSpec } from '../test/support/fixtures';
import { report, result, secondsSince } from './lib/report';

const LONG = 5_000;
const SAMPLES = 1_000;
const temp = makeTempDir('mes-bench-domain-');
const store = createSqliteEventStore({
  path: join(temp.dir, 'events.db'),
  codec: createEventCodec(loadSchemaRegistry(), upcasters),
});
const meta = { now: '2026-11-25T08:00:00.000Z', actor: 'bench' };
let ids = 0;
const ctx = () => ({ commandId: `b-${(ids += 1)}`, correlationId: 'bench', source: 'system' as const });
const spec = orderSpec(
  { product: 'SHAFT', quantity: 1_000_000 },
  ['010', '020', '030', '040', '050'].map((id) => operation(id)),
);
const report1 = (orderId: string) => ({
  type: 'ReportQuantity' as const,
  data: { orderId, operationId: '010', good: 1, scrap: 0, rework: 0 },
  meta,
});

const orderWith = async (handler: CommandHandler, orderId: string, events: number): Promise<void> => {
  await handler.handle('order', orderId, { type: 'PlanOrder', data: { orderId, spec }, meta }, ctx());
  await handler.handle('order', orderId, { type: 'ReleaseOrder', data: { orderId }, meta }, ctx());
  await handler.handle(
    'order',
    orderId,
    { type: 'StartOperation', data: { orderId, operationId: '010' }, meta },
    ctx(),
  );
  while (
    (await store.readStream(`order-${orderId}`, { direction: 'backwards', maxCount: 1 }))[0]!.revision <
    events - 1
  ) {
    await handler.handle('order', orderId, report1(orderId), ctx());
  }
};

const percentile = (values: number[], p: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] as number;

const domainTimes = async (
  handler: CommandHandler,
  orderId: string,
): Promise<{ domain: number[]; total: number[] }> => {
  const domain: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    const started = process.hrtime.bigint();
    const outcome = await handler.handle('order', orderId, report1(orderId), ctx());
    total.push(secondsSince(started) * 1000);
    domain.push(outcome.domainMs);
  }
  return { domain, total };
};

const main = async (): Promise<void> => {
  const handler = createCommandHandler({ store });
  await orderWith(handler, 'LONG', LONG);
  await orderWith(handler, 'SHORT', 10);
  const long = await domainTimes(handler, 'LONG');
  const short = await domainTimes(handler, 'SHORT');
  // a fresh handler has no cache: it reads and folds the whole stream
  const coldStarted = process.hrtime.bigint();
  await createCommandHandler({ store }).load('order', 'LONG');
  const cold = secondsSince(coldStarted) * 1000;
  const rawStarted = process.hrtime.bigint();
  await store.readStream('order-LONG');
  const rawRead = secondsSince(rawStarted) * 1000;
  report(`Domain benchmark: a command on an order with ${LONG.toLocaleString('en-US')}+ events`, [
    result({
      name: `domain time per command, p99, order of ${LONG} events (state cached)`,
      value: percentile(long.domain, 0.99),
      unit: 'ms',
      baseline: 'same command, order of 10 events',
      baselineValue: percentile(short.domain, 0.99),
      maximumValue: 2,
    }),
    result({
      name: 'whole command (load, decide, validate, durable append), p50',
      value: percentile(long.total, 0.5),
      unit: 'ms',
      baseline: 'same command, order of 10 events',
      baselineValue: percentile(short.total, 0.5),
    }),
    result({
      name: `cold load: read and fold ${LONG} events, no cache`,
      value: cold,
      unit: 'ms',
      baseline: 'raw readStream of the same events',
      baselineValue: rawRead,
    }),
  ]);
};

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    await store.close();
    temp.remove();
  });
