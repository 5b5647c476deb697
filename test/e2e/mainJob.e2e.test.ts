import { expect } from 'chai';
import { natsOptionsFromUrl } from '../../src/main/natsConnection';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { connect } from 'nats';
import { createProjections } from '../../src/projections';
import { startBackboneProcess } from '../support/backboneProcess';
import { TEST_PLANT } from '../support/readStoreDump';
import { client, makeKeys } from '../support/apiClient';
import { startNatsServer } from '../support/natsServer';
import { makeTempDir } from '../support/tmp';

describe('the main job (npm start)', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-main-');
  after(() => temp.remove());

  it('starts on the embedded default with one SQLite file, answers health and readiness, and stops cleanly', async () => {
    const backbone = await startBackboneProcess({ DATA_DIR: temp.dir });
    const health = await fetch(`${backbone.baseUrl}/health`);
    expect(health.status).to.equal(200);
    const ready = (await (await fetch(`${backbone.baseUrl}/ready`)).json()) as {
      eventStore: { kind: string };
      projections: Array<{ projection: string; state: string }>;
    };
    expect(ready.eventStore.kind).to.equal('sqlite');
    // every read model the backbone builds, reported ready
    expect(ready.projections.map((p) => p.projection)).to.deep.equal(createProjections(TEST_PLANT).map((p) => p.name));
    expect(ready.projections.every((p) => p.state === 'live')).to.equal(true);
    expect(existsSync(join(temp.dir, 'events.db'))).to.equal(true);
    const missing = await fetch(`${backbone.baseUrl}/no/such/route`);
    expect(missing.status).to.equal(404);
    expect(missing.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(await backbone.stop('SIGTERM')).to.equal(0);
    expect(backbone.logs.map((l) => l['msg'])).to.include('backbone stopped');
  });

  it('rebuilds read models with npm run projections:rebuild, and refuses an unknown one', () => {
    const run = spawnSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'scripts/projectionsRebuild.ts', 'wip', 'labour'],
      {
        env: { ...process.env, DATA_DIR: temp.dir },
        encoding: 'utf8',
      },
    );
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stderr)
      .to.match(/rebuilding wip, labour/)
      .and.to.match(/done in/);
    expect(run.stdout).to.match(/^wip\s+wip_v\d+_r\w+\s+live/m);
    const wrong = spawnSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'scripts/projectionsRebuild.ts', 'nonsense'],
      { env: { ...process.env, DATA_DIR: temp.dir }, encoding: 'utf8' },
    );
    expect(wrong.status).to.equal(1);
    expect(wrong.stderr).to.match(/no read model named nonsense/);
  });

  it('with NATS_URL, takes device messages from NATS and publishes every event as a CloudEvent', async () => {
    const nats = await startNatsServer();
    const dir = join(temp.dir, 'with-nats');
    const keys = makeKeys(temp.dir);
    const backbone = await startBackboneProcess({ DATA_DIR: dir, NATS_URL: nats.url, API_KEYS_FILE: keys.file });
    const api = client(backbone.baseUrl, keys.tokens);
    expect(
      (
        await api.post(
          '/api/machines',
          { machineId: 'M9', code: 'M9', name: 'Press 9', type: 'press', workCenter: 'WC', ratedPowerKw: 3 },
          'maintenance',
        )
      ).status,
    ).to.equal(201);
    const nc = await connect(natsOptionsFromUrl(nats.url));
    await nc
      .jetstream()
      .publish('devices.plant1.M9.state', JSON.stringify({ state: 'running', at: new Date().toISOString() }), {
        msgID: 'm9-1',
      });
    let events: Array<{ type: string }> = [];
    for (let i = 0; i < 200 && events.length < 2; i += 1) {
      events = (await api.get('/api/streams/machine-M9/events', 'auditor')).body as Array<{ type: string }>;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(events.map((e) => e.type)).to.deep.equal(['MachineRegistered', 'MachineStateChanged']);
    const jsm = await nc.jetstreamManager();
    let published = 0;
    for (let i = 0; i < 200 && published < 2; i += 1) {
      published = (await jsm.streams.info('MES_EVENTS')).state.messages;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(published).to.equal(2);
    // the ERP/WMS outbox runs with NATS as its destination; an integrator sees its state
    const outbox = (await api.get('/api/integration/outbox', 'integrator')).body;
    expect(outbox).to.deep.equal({
      running: true,
      destinations: [{ destination: 'nats', pending: 0, failing: 0, delivered: 0 }],
    });
    await nc.close();
    expect(await backbone.stop('SIGTERM')).to.equal(0);
    await nats.stop();
  });

  it('refuses a bad configuration at start, naming the variable', () => {
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main/main.ts'], {
      env: { ...process.env, PORT: 'eighty', DATA_DIR: temp.dir },
      encoding: 'utf8',
    });
    expect(run.status).to.equal(1);
    expect(run.stderr).to.match(/cannot start: configuration is invalid: \/env\/PORT/);
  });
});
