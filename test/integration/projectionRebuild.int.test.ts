import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createSqliteReadStore } from '../../src/adapters/readstore/sqliteReadStore';
import { createLogger } from '../../src/lib/logger';
import { createProjections } from '../../src/projections';
import { wipProjection } from '../../src/projections/models/wip';
import { rebuildReadModels, startReadModels } from '../../src/projections/manager';
import { MACHINE_SIDE, rebuildInWorker } from '../../src/main/rebuildWorker';
import { generatePlant } from '../../bench/lib/plantGenerator';
import { openPlantStore, runPlantDay } from '../support/plantDay';
import { dumpReadModels, TEST_PLANT } from '../support/readStoreDump';
import { makeTempDir } from '../support/tmp';

const logger = createLogger('error');

describe('projections: rebuild and crash', function () {
  this.timeout(120_000);
  const temp = makeTempDir('mes-rebuild-');
  after(() => temp.remove());

  it('a full rebuild gives, document by document, what a live build event by event gave', async () => {
    const store = openPlantStore(temp.dir);
    const live = createSqliteReadStore(join(temp.dir, 'live.db'));
    // live: the events applied and committed as they come while the plant appends, each projection keeping
    // 20 documents in memory once it keeps up (reading the others back from the read store)
    const runtime = await startReadModels({ store, readStore: live, logger }, createProjections(TEST_PLANT), {
      batchSize: 50,
      cacheLimit: 20,
    });
    await runPlantDay(store, temp.dir);
    await generatePlant(store, { events: 3000, machines: 7 });
    await runtime.idle();
    await runtime.stop();
    const rebuilt = createSqliteReadStore(join(temp.dir, 'rebuilt.db'));
    const status = await rebuildReadModels(
      { store, readStore: rebuilt, logger },
      createProjections(TEST_PLANT),
      () => undefined,
      // several commits, each gathering a few pages: documents carried in memory from one to the next
      { batchSize: 1000, commitEvery: 2500 },
    );
    expect(status.every((s) => s.lastError === null)).to.equal(true);
    const incremental = await dumpReadModels(live);
    expect(
      Object.values(incremental).reduce((sum, docs) => sum + docs.length, 0),
      'documents built',
    ).to.be.greaterThan(500);
    expect(await dumpReadModels(rebuilt)).to.deep.equal(incremental);
    // the worker's read models (MACHINE_SIDE) rebuilt in a worker thread beside the others, into the same file
    const parallelPath = join(temp.dir, 'parallel.db');
    const parallel = createSqliteReadStore(parallelPath);
    const inParallel = await rebuildReadModels(
      { store, readStore: parallel, logger },
      createProjections(TEST_PLANT),
      () => undefined,
      {
        batchSize: 1000,
        commitEvery: 2500,
        elsewhere: rebuildInWorker({
          eventsPath: join(temp.dir, 'events.db'),
          readPath: parallelPath,
          plant: TEST_PLANT,
          names: MACHINE_SIDE,
        }),
      },
    );
    expect(inParallel.map((s) => [s.projection, s.lastError])).to.deep.equal(
      createProjections(TEST_PLANT).map((p) => [p.name, null]),
    );
    expect(await dumpReadModels(parallel)).to.deep.equal(incremental);
    await Promise.all([live.close(), rebuilt.close(), parallel.close(), store.close()]);
  });

  it('a projection process killed with SIGKILL mid-batch and restarted ends with the documents of a run without a crash', async () => {
    const dir = join(temp.dir, 'crash');
    const store = openPlantStore(dir);
    const total = await generatePlant(store, { events: 20_000, machines: 11 });
    const child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        resolve(__dirname, '../support/projectChild.ts'),
        join(dir, 'events.db'),
        join(dir, 'crashed.db'),
        '97',
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    for await (const line of createInterface({ input: child.stdout })) {
      if (Number(line.split(' ')[1]) > 2_000) {
        child.kill('SIGKILL');
        break;
      }
    }
    await exited;
    const crashed = createSqliteReadStore(join(dir, 'crashed.db'));
    const reached = Number((await crashed.checkpoint(`wip_v${wipProjection.version}`))?.position ?? 0);
    expect(reached, 'killed part-way through the log')
      .to.be.greaterThan(0)
      .and.lessThan(Number(await store.headPosition()));
    expect(total).to.be.at.least(20_000);
    const restarted = await startReadModels({ store, readStore: crashed, logger }, createProjections(TEST_PLANT), {
      batchSize: 97,
    });
    await restarted.idle();
    await restarted.stop();
    const clean = createSqliteReadStore(join(dir, 'clean.db'));
    const cleanRun = await startReadModels({ store, readStore: clean, logger }, createProjections(TEST_PLANT), {
      batchSize: 97,
    });
    await cleanRun.idle();
    await cleanRun.stop();
    expect(await dumpReadModels(crashed)).to.deep.equal(await dumpReadModels(clean));
    await Promise.all([crashed.close(), clean.close(), store.close()]);
  });
});
