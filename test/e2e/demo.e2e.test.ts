import { expect } from 'chai';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startNatsServer, type NatsServer } from '../support/natsServer';
import { makeTempDir } from '../support/tmp';

const MAIN = resolve(__dirname, '../../src/main/main.ts');

/** `npm start -- --demo ...`: the backbone and the simulator in one process, to the summary. */
const runDemo = (env: Record<string, string>, args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', MAIN, '--demo', ...args], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => done({ code, stdout, stderr }));
  });

const figures = (stdout: string) => {
  const orders = /orders\s+(\d+) of (\d+) completed, (\d+) late/.exec(stdout);
  const requests = /requests\s+(\d+) sent, (\d+) accepted, (\d+) refused.*, (\d+) failed/.exec(stdout);
  const energy = /energy\s+([\d.]+) kWh, ([\d.]+) kg CO2e? over (\d+) good units/.exec(stdout);
  const alarms = /overdue alarms\s+(\d+) raised, (\d+) cleared/.exec(stdout);
  return {
    completed: Number(orders?.[1]),
    orders: Number(orders?.[2]),
    refused: Number(requests?.[3]),
    failed: Number(requests?.[4]),
    accepted: Number(requests?.[2]),
    kWh: Number(energy?.[1]),
    goodUnits: Number(energy?.[3]),
    raised: Number(alarms?.[1]),
    cleared: Number(alarms?.[2]),
  };
};

describe('the demo: a plant simulator driving the backbone through its inputs', function () {
  this.timeout(180_000);
  const temp = makeTempDir('mes-demo-');
  let nats: NatsServer | undefined;
  after(async () => {
    await nats?.stop();
    temp.remove();
  });

  it('runs a plant day over HTTP with a progress bar and ends with a summary read back from the API', async () => {
    const dataDir = join(temp.dir, 'http');
    const { code, stdout, stderr } = await runDemo({ DATA_DIR: dataDir, LOG_LEVEL: 'info' }, [
      '--seconds',
      '10',
      '--orders',
      '10',
      '--late-maintenance',
      '1',
      '--exit',
    ]);
    expect(code, stderr).to.equal(0);
    expect(stderr).to.match(/\[#{30}\] 100%/);
    const f = figures(stdout);
    expect(f.orders).to.equal(10);
    expect(f.completed, 'orders completed').to.be.greaterThan(0);
    expect(f.accepted).to.be.greaterThan(100);
    expect([f.refused, f.failed], 'requests refused, failed').to.deep.equal([0, 0]);
    expect(f.kWh).to.be.greaterThan(0);
    expect(f.goodUnits).to.be.greaterThan(0);
    expect(stdout).to.match(
      /OEE of the plant\s+OEE [01]\.\d\d = A [01]\.\d\d x P \d\.\d\d x Q [01]\.\d\d, TEEP [01]\.\d\d/,
    );
    expect(stdout).to.match(/losses \(h\)\s+[\d.]+ h = non-working [\d.]+ \+ planned stops/);
    expect(stdout).to.match(/\n\s+M1\s+OEE [01]\.\d\d/);
    expect(stdout).to.match(/first-pass yield\s+\S+ 0\.\d{3}/);
    // the terminal shows the banner, the progress and the summary; the request log goes to the file it names
    expect(stdout.split('\n').filter((line) => line.trimStart().startsWith('{'))).to.deep.equal([]);
    expect(stderr).to.not.match(/"msg":"request"/);
    const logFile = /^Log \(a JSON line per request\): (.+)$/m.exec(stderr)?.[1];
    expect(logFile).to.equal(join(dataDir, 'demo.log'));
    const entries = readFileSync(logFile as string, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { msg: string; level: string; status?: number });
    expect(entries.filter((e) => e.msg === 'request').length, 'request lines').to.be.at.least(f.accepted);
    expect(entries.map((e) => e.msg)).to.include('backbone started');
    // every plan performed late raises its alarm, and performing it clears it
    expect(f.raised, 'overdue alarms raised').to.be.greaterThan(0);
    expect(f.cleared).to.equal(f.raised);
    // people and devices, not a shared key: who did what is in the log
    const db = new Database(join(temp.dir, 'http', 'events.db'), { readonly: true });
    const actors = (type: string) =>
      db
        .prepare<[string], { actor: string }>(
          "SELECT DISTINCT json_extract(metadata, '$.actor') AS actor FROM events WHERE type = ? ORDER BY actor",
        )
        .all(type)
        .map((r) => r.actor);
    expect(actors('OperatorClockedIn'), 'operators clocked in by their own badge sessions').to.deep.equal([
      'op-01',
      'op-02',
      'op-03',
      'op-04',
      'op-05',
      'op-06',
    ]);
    expect(actors('OrderReleased')).to.deep.equal(['li.na']);
    expect(actors('InspectionResultsRecorded')).to.deep.equal(['wang.qiang']);
    const badgeLogins = db
      .prepare("SELECT data FROM events WHERE type = 'LoginSucceeded'")
      .all()
      .map((r) => JSON.parse((r as { data: string }).data) as { method: string; deviceId?: string })
      .filter((d) => d.method === 'badge');
    expect(badgeLogins.map((d) => d.deviceId).sort()).to.deep.equal([
      'PDA-01',
      'PDA-02',
      'PDA-03',
      'PDA-04',
      'PDA-05',
      'PDA-06',
    ]);
    db.close();
    expect(statSync(join(temp.dir, 'http', 'demo-credentials.txt')).mode & 0o777).to.equal(0o600);
    expect(stdout).to.not.match(/Bearer /);
  });

  it('with --opcua, a machine served over OPC UA counts every part; a wearing bearing warns before its failure; SPC catches a drift before a part is out of tolerance', async () => {
    const { code, stdout, stderr } = await runDemo({ DATA_DIR: join(temp.dir, 'opcua') }, [
      '--seconds',
      '30',
      '--opcua',
      '--exit',
    ]);
    expect(code, stderr).to.equal(0);
    expect(stderr).to.match(/M1 over OPC UA \(opc\.tcp:\/\/127\.0\.0\.1:\d+\/demo\)/);
    const f = figures(stdout);
    expect([f.refused, f.failed], 'requests refused, failed').to.deep.equal([0, 0]);
    // the backbone counted, from the OPC UA server's totals, exactly the parts the machine made
    const opcua = /OPC UA\s+M1: (\d+) parts made, (\d+) counted; (\d+) good, (\d+) counted/.exec(stdout);
    expect(opcua, stdout).to.not.equal(null);
    const [made, counted, good, countedGood] = (opcua as RegExpExecArray).slice(1).map(Number);
    expect(made, 'parts made on the OPC UA machine').to.be.greaterThan(0);
    expect([counted, countedGood]).to.deep.equal([made, good]);
    // the worn machine's warning came at least 4 simulated hours before its failure
    const health = /equipment health\s+M2 bearing wear from \S+: warned \S+, ([\d.]+) h before its failure/.exec(
      stdout,
    );
    expect(health, stdout).to.not.equal(null);
    expect(Number((health as RegExpExecArray)[1])).to.be.at.least(4);
    // the drifting bore opened an SPC nonconformance while every part was within tolerance
    expect(stdout).to.match(
      /SPC\s+\d+ patrol inspections on \d+ bore charts, limits set on [1-9]\d*; drift from \S+: caught \S+ by rule [1-4] on \S+\.020\.bore \(NC-SPC-/,
    );
    expect(stdout).to.match(/; 0 parts out of tolerance/);
  });

  it('with NATS_URL, machines report over NATS device subjects and a second demo continues the first one’s time', async () => {
    nats = await startNatsServer();
    const env = { DATA_DIR: join(temp.dir, 'nats'), NATS_URL: nats.url };
    const first = await runDemo(env, ['--seconds', '8', '--orders', '6', '--hours', '12', '--exit']);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stderr).to.match(/machines report over NATS/);
    expect(first.stdout).to.match(/device messages\s+[1-9]\d* over NATS/);
    const f = figures(first.stdout);
    expect([f.refused, f.failed]).to.deep.equal([0, 0]);
    expect(f.kWh, 'energy ingested from device messages').to.be.greaterThan(0);
    const second = await runDemo(env, ['--seconds', '5', '--orders', '3', '--hours', '4', '--exit']);
    expect(second.code, second.stderr).to.equal(0);
    const ended = /to (\S+) \(simulated\)/.exec(first.stdout)?.[1] as string;
    const began = /Plant run \S+: (\S+) to/.exec(second.stdout)?.[1] as string;
    expect(Date.parse(began)).to.be.greaterThan(Date.parse(ended));
    expect(figures(second.stdout).failed).to.equal(0);
  });
});
