import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connect, StringCodec } from 'nats';
import { freePort } from '../support/backboneProcess';
import { brokerRefusals, natsBinary } from '../support/natsServer';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';

const sc = StringCodec();
const PASSWORDS = {
  NATS_BACKBONE_PASSWORD: 'backbone-secret-1',
  NATS_DEVICE_QJ1_M1_PASSWORD: 'device-secret-1',
  NATS_ERP_PASSWORD: 'erp-secret-1',
  NATS_WMS_PASSWORD: 'wms-secret-1',
  NATS_EVENTS_READER_PASSWORD: 'reader-secret-1',
};

describe('The shipped deploy/nats.conf: no anonymous access, each user its own part (real nats-server)', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-nats-deploy-');
  let child: ChildProcess;
  let port = 0;
  const as = (user: string, password: string) =>
    connect({ servers: `nats://127.0.0.1:${port}`, user, pass: password, reconnect: false });

  before(async () => {
    port = await freePort();
    const [mqtt, http] = [await freePort(), await freePort()];
    // the shipped file, with this test's ports and folder
    const shipped = readFileSync(resolve(__dirname, '../../deploy/nats.conf'), 'utf8')
      .replace('listen: 0.0.0.0:4222', `listen: 127.0.0.1:${port}`)
      .replace('http: 0.0.0.0:8222', `http: 127.0.0.1:${http}`)
      .replace('listen: 0.0.0.0:1883', `listen: 127.0.0.1:${mqtt}`)
      .replace('store_dir: /data/jetstream', `store_dir: "${join(temp.dir, 'js')}"`);
    const config = join(temp.dir, 'nats.conf');
    writeFileSync(config, shipped);
    child = spawn(natsBinary, ['-c', config], { env: { ...process.env, ...PASSWORDS }, stdio: 'ignore' });
    await waitFor(
      () =>
        as('backbone', PASSWORDS.NATS_BACKBONE_PASSWORD).then(
          async (nc) => (await nc.close(), true),
          () => false,
        ),
      'the broker to accept the backbone',
      20_000,
    );
  });
  after(async () => {
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
    temp.remove();
  });

  it('refuses to start without the users’ passwords', async () => {
    const check = spawn(natsBinary, ['-t', '-c', resolve(__dirname, '../../deploy/nats.conf')], {
      env: { PATH: process.env['PATH'] ?? '' },
      stdio: 'ignore',
    });
    expect(await new Promise((done) => check.once('exit', done))).to.not.equal(0);
  });

  it('refuses a connection without credentials or with a wrong password', async () => {
    const anonymous = await connect({ servers: `nats://127.0.0.1:${port}`, reconnect: false }).then(
      () => 'connected',
      (error: Error) => error.message,
    );
    expect(anonymous).to.match(/authorization/i);
    const wrong = await as('backbone', 'guess').then(
      () => 'connected',
      (error: Error) => error.message,
    );
    expect(wrong).to.match(/authorization/i);
  });

  it('lets a machine publish its own subjects only, the ERP its inbound subjects only, and the backbone see them', async () => {
    const backbone = await as('backbone', PASSWORDS.NATS_BACKBONE_PASSWORD);
    const seen: string[] = [];
    for (const subject of ['devices.>', 'mes.>'])
      backbone.subscribe(subject, { callback: (_error, m) => void seen.push(m.subject) });
    await backbone.flush();
    const device = await as('device-qj1-M1', PASSWORDS.NATS_DEVICE_QJ1_M1_PASSWORD);
    const erp = await as('erp', PASSWORDS.NATS_ERP_PASSWORD);
    const deviceRefused = brokerRefusals(device);
    const erpRefused = brokerRefusals(erp);
    device.publish('devices.qj1.M1.state', sc.encode('{}'));
    device.publish('devices.qj1.M2.state', sc.encode('{}'));
    device.publish('mes.in.erp.ProductionSchedule', sc.encode('<x/>'));
    erp.publish('mes.in.erp.ProductionSchedule', sc.encode('<ProductionSchedule/>'));
    erp.publish('devices.qj1.M1.state', sc.encode('{}'));
    await Promise.all([device.flush(), erp.flush()]);
    await waitFor(
      () => deviceRefused.length === 2 && erpRefused.length === 1,
      'the broker to refuse three publications',
    );
    await waitFor(
      () => seen.includes('devices.qj1.M1.state') && seen.includes('mes.in.erp.ProductionSchedule'),
      'the allowed publications',
    );
    expect(seen.filter((s) => s === 'devices.qj1.M1.state' || s === 'mes.in.erp.ProductionSchedule')).to.have.length(2);
    expect(seen).to.not.include('devices.qj1.M2.state');
    await Promise.all([device.close(), erp.close(), backbone.close()]);
  });
});
