import { expect } from 'chai';
import { join } from 'node:path';
import { createSqliteReadStore } from '../../src/adapters/readstore/sqliteReadStore';
import { createLogger } from '../../src/lib/logger';
import type { ReadStore } from '../../src/app/readStore';
import type { Projection } from '../../src/projections';
import { rebuildReadModels, startReadModels } from '../../src/projections/manager';
import { createReadModelQueries } from '../../src/projections/queries';
import { generatePlant } from '../../bench/lib/plantGenerator';
import type { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { openPlantStore } from '../support/plantDay';
import { TEST_PLANT } from '../support/readStoreDump';
import { makeTempDir } from '../support/tmp';

const logger = createLogger('error');

/** Counts completed orders; `poisoned` makes it throw on that order. */
const counter = (version: number, poisoned?: string): Projection => ({
  name: 'counter',
  version,
  collections: { totals: {} },
  eventTypes: ['OrderCompleted'],
  async apply(event, ctx) {
    if (event.type === 'OrderCompleted' && event.data.orderId === poisoned) throw new Error(`cannot count ${poisoned}`);
    await ctx.update('totals', 'all', (doc) => ({
      _id: 'all',
      orders: ((doc?.['orders'] as number | undefined) ?? 0) + 1,
      version,
    }));
  },
});

describe('projection runtime: failures and blue/green', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-runtime-');
  let store: SqliteEventStore;
  let readStore: ReadStore;
  let completed: number;
  before(async () => {
    store = openPlantStore(temp.dir);
    await generatePlant(store, { events: 2_000, machines: 5 });
    completed = (await store.readAll({ maxCount: 100_000, filter: { eventTypes: ['OrderCompleted'] } })).events.length;
  });
  after(async () => {
    await store.close();
    temp.remove();
  });
  beforeEach(() => {
    readStore = createSqliteReadStore(join(temp.dir, `read-${Math.random()}.db`));
  });
  afterEach(async () => readStore.close());

  it('stops a projection that throws, reports the event, and keeps the others going', async () => {
    const healthy = { ...counter(1), name: 'healthy' };
    const runtime = await startReadModels({ store, readStore, logger }, [counter(1, 'GO-17'), healthy], {
      batchSize: 10,
    });
    await runtime.idle();
    const [failed, ok] = await runtime.status();
    expect(failed).to.deep.include({ projection: 'counter', state: 'failed' });
    expect(failed?.lastError).to.deep.include({ type: 'OrderCompleted', message: 'cannot count GO-17' });
    const poisonedEvent = (await store.readStream('order-GO-17')).find((e) => e.type === 'OrderCompleted');
    expect(failed?.lastError?.eventId).to.equal(poisonedEvent?.id);
    expect(ok).to.deep.include({ projection: 'healthy', state: 'live', lastError: null });
    expect(completed).to.be.greaterThan(18);
    expect((await readStore.get('healthy_v1', 'totals', 'all'))?.['orders']).to.equal(completed);
    // the failed projection kept what it committed before the event, never what came after it
    const counted = ((await readStore.get('counter_v1', 'totals', 'all'))?.['orders'] as number | undefined) ?? 0;
    expect(counted).to.be.lessThan(18);
    expect(Number((await readStore.checkpoint('counter_v1'))?.position ?? 0)).to.be.lessThan(
      Number(poisonedEvent?.position),
    );
    await runtime.stop();
  });

  it('after a rebuild, a restart goes on with the rebuilt namespace instead of building again', async () => {
    const rebuilt = await rebuildReadModels({ store, readStore, logger }, [counter(1)], () => undefined);
    const namespace = rebuilt[0]?.namespace as string;
    expect(namespace).to.match(/^counter_v1_r/);
    const restarted = await startReadModels({ store, readStore, logger }, [counter(1)]);
    const [status] = await restarted.status();
    expect(status).to.deep.include({ namespace, events: completed });
    expect(await readStore.active('counter')).to.equal(namespace);
    await restarted.stop();
  });

  it('builds a new version beside the active one and switches queries when it has caught up', async () => {
    const v1 = await startReadModels({ store, readStore, logger }, [counter(1)]);
    await v1.idle();
    await v1.stop();
    expect(await readStore.active('counter')).to.equal('counter_v1');
    const v2 = await startReadModels({ store, readStore, logger }, [counter(2)], { batchSize: 7 });
    expect(await readStore.active('counter'), 'queries read v1 while v2 builds').to.equal('counter_v1');
    await v2.idle();
    expect(await readStore.active('counter')).to.equal('counter_v2');
    expect(await readStore.get('counter_v2', 'totals', 'all')).to.deep.include({ orders: completed, version: 2 });
    expect(await readStore.checkpoint('counter_v1'), 'the old version is dropped').to.equal(undefined);
    await v2.stop();
    const queries = createReadModelQueries(readStore, TEST_PLANT);
    expect(await queries.namespace('counter')).to.equal('counter_v2');
  });
});
