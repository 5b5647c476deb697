import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { CommandContext } from '../../src/app/commandHandler';
import { readPages } from '../../src/app/eventStore';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import type { AggregateName, CommandOf } from '../../src/domain/aggregates';
import { createLogger } from '../../src/lib/logger';
import { startBackbone, type Backbone } from '../../src/main/backbone';
import { loadConfig, type Config } from '../../src/main/config';
import { client, makeKeys } from '../support/apiClient';
import { rejection } from '../support/assert';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';

const DINGTALK_SECRET = 'SEC0123456789abcdef0123456789abcdef';

/** What a robot received: its kind, the JSON body, and (DingTalk) whether the signature was right. */
type Received = {
  robot: 'wecom' | 'dingtalk';
  query: URLSearchParams;
  body: { msgtype: string; markdown: { content?: string; title?: string; text?: string } };
  answered: number | string;
  signed?: boolean;
};

/**
 * One loopback server acting as a WeCom group robot (`/cgi-bin/webhook/send?key=`) and a DingTalk
 * custom robot (`/robot/send?access_token=`). The WeCom robot answers its first call 500, DingTalk its
 * first call errcode 130101 (sending too fast); DingTalk checks every call's timestamp and sign as
 * DingTalk does (HMAC-SHA256 of "timestamp\nsecret", base64) and refuses a bad one with errcode 310000.
 */
const startRobots = async () => {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://robots');
      const body = JSON.parse(raw) as Received['body'];
      const answer = (status: number, json?: object) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(json ? JSON.stringify(json) : 'oops');
      };
      if (url.pathname === '/cgi-bin/webhook/send' && url.searchParams.get('key') === 'wecom-key') {
        const first = !received.some((r) => r.robot === 'wecom');
        received.push({ robot: 'wecom', query: url.searchParams, body, answered: first ? 500 : 0 });
        return first ? answer(500) : answer(200, { errcode: 0, errmsg: 'ok' });
      }
      if (url.pathname === '/robot/send' && url.searchParams.get('access_token') === 'ding-token') {
        const timestamp = Number(url.searchParams.get('timestamp'));
        const expected = createHmac('sha256', DINGTALK_SECRET)
          .update(`${timestamp}\n${DINGTALK_SECRET}`)
          .digest('base64');
        const signed = Math.abs(Date.now() - timestamp) < 3_600_000 && url.searchParams.get('sign') === expected;
        const first = !received.some((r) => r.robot === 'dingtalk');
        const errcode = !signed ? 310000 : first ? 130101 : 0;
        received.push({ robot: 'dingtalk', query: url.searchParams, body, answered: errcode, signed });
        return answer(200, { errcode, errmsg: errcode === 0 ? 'ok' : 'refused' });
      }
      return answer(404, { errcode: 404 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    received,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** The messages a robot accepted (errcode 0), by the text they carry. */
    delivered: (robot: Received['robot'], text: string) =>
      received.filter(
        (r) =>
          r.robot === robot &&
          r.answered === 0 &&
          (r.body.markdown.content ?? r.body.markdown.text ?? '').includes(text),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

describe('alerts: overdue maintenance, machines down, failed inspections to WeCom and DingTalk robots and the web app', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-alerts-');
  const schemas = loadSchemaRegistry();
  const logger = createLogger('error');
  const clock = { now: new Date('2026-11-25T00:00:00.000Z') };
  let robots: Awaited<ReturnType<typeof startRobots>>;
  let config: Config;
  let backbone: Backbone;
  let api: ReturnType<typeof client>;
  let tokens: ReturnType<typeof makeKeys>['tokens'];
  let n = 0;

  const start = async () => {
    backbone = await startBackbone(config, schemas, logger, { clock: () => clock.now, overdueIntervalMs: 0 });
    api = client(`http://127.0.0.1:${backbone.port}`, tokens);
  };
  const run = <K extends AggregateName>(aggregate: K, id: string, command: CommandOf[K]) => {
    const context: CommandContext = { commandId: `alerts-test-${(n += 1)}`, correlationId: 'alerts', source: 'api' };
    return backbone.services.commands.handle(aggregate, id, command, context);
  };
  const at = (iso: string) => {
    clock.now = new Date(iso);
    return { now: clock.now.toISOString(), actor: 'tech-7' };
  };
  /** The alerts in the log, by kind. */
  const raised = async (kind?: string) => {
    const alerts: { kind: string; alertId: string }[] = [];
    for await (const page of readPages(backbone.store, { filter: { eventTypes: ['AlertRaised'] } }))
      alerts.push(...page.events.map((e) => e.data as { kind: string; alertId: string }));
    return alerts.filter((a) => kind === undefined || a.kind === kind);
  };
  const failInspection = async (inspectionId: string, iso: string) => {
    await run('inspection', inspectionId, {
      type: 'RequestInspection',
      data: {
        inspectionId,
        lotId: `L-${inspectionId}`,
        product: 'SHAFT-20',
        characteristics: [{ name: 'dia', kind: 'measured', nominal: 20, lower: 19.95, upper: 20.05, unit: 'mm' }],
        reason: 'incoming',
      },
      meta: at(iso),
    });
    await run('inspection', inspectionId, {
      type: 'RecordInspectionResults',
      data: { inspectionId, results: [{ characteristic: 'dia', value: 20.2 }] },
      meta: at(iso),
    });
  };

  before(async () => {
    robots = await startRobots();
    const keys = makeKeys(temp.dir);
    tokens = keys.tokens;
    const secretFile = join(temp.dir, 'dingtalk.secret');
    writeFileSync(secretFile, `${DINGTALK_SECRET}\n`, { mode: 0o600 });
    const alertsFile = join(temp.dir, 'alerts.json');
    writeFileSync(
      alertsFile,
      JSON.stringify({
        webhooks: [
          {
            kind: 'wecom',
            url: `${robots.url}/cgi-bin/webhook/send?key=wecom-key`,
            alerts: ['maintenance-overdue', 'machine-down'],
          },
          {
            kind: 'dingtalk',
            url: `${robots.url}/robot/send?access_token=ding-token`,
            secretFile: 'dingtalk.secret',
            alerts: ['maintenance-overdue', 'machine-down', 'inspection-failed'],
          },
        ],
      }),
    );
    config = loadConfig(
      {
        DATA_DIR: join(temp.dir, 'data'),
        PORT: '0',
        HOST: '127.0.0.1',
        API_KEYS_FILE: keys.file,
        LOG_LEVEL: 'error',
        ALERTS_FILE: alertsFile,
        ALERT_MACHINE_DOWN_MINUTES: '15',
        OUTBOUND_INSECURE: 'true',
        OUTBOX_RETRY_SECONDS: '0.05',
      },
      schemas,
    );
    await start();
    await run('machine', 'M-A1', {
      type: 'RegisterMachine',
      data: {
        machineId: 'M-A1',
        code: 'PRESS-A1',
        name: 'Press A1',
        type: 'press',
        workCenter: 'WC-PRESS',
        ratedPowerKw: 30,
        idealCycleSeconds: [],
      },
      meta: at('2026-11-25T00:00:00.000Z'),
    });
  });
  after(async () => {
    await backbone?.close();
    await robots?.close();
    temp.remove();
  });

  it('an overdue plan reaches each robot once, in its format, after a 500 and an errcode are retried; DingTalk calls are signed', async () => {
    await run('maintenance', 'P-A1', {
      type: 'DefineMaintenancePlan',
      data: {
        planId: 'P-A1',
        machineId: 'M-A1',
        kind: 'maintenance',
        title: '液压油更换',
        cycle: { unit: 'days', every: 1 },
      },
      meta: at('2026-11-25T00:00:00.000Z'),
    });
    // due 2026-11-26 00:00 UTC (08:00 in Shanghai); the clock looks two days on, then again an hour later
    expect(await backbone.services.overdue.check('2026-11-27T00:00:00.000Z')).to.equal(1);
    expect(await backbone.services.overdue.check('2026-11-27T01:00:00.000Z')).to.equal(0);
    const wecom = await waitFor(
      () => robots.delivered('wecom', '保养逾期').length > 0 && robots.delivered('wecom', '保养逾期'),
      'WeCom delivery',
    );
    const ding = await waitFor(
      () => robots.delivered('dingtalk', '保养逾期').length > 0 && robots.delivered('dingtalk', '保养逾期'),
      'DingTalk delivery',
    );
    expect(wecom).to.have.length(1);
    expect(ding).to.have.length(1);
    // WeCom: markdown.content; DingTalk: markdown.title and markdown.text; Chinese first, English below
    expect(wecom[0]?.body.msgtype).to.equal('markdown');
    const content = wecom[0]?.body.markdown.content ?? '';
    expect(content).to.include(
      '保养逾期：设备 M-A1 的「液压油更换」（计划 P-A1）已于 2026-11-26 08:00 到期，尚未执行。',
    );
    expect(content).to.include(
      'Maintenance overdue: "液压油更换" (plan P-A1) on machine M-A1 was due 2026-11-26 08:00',
    );
    expect(content.indexOf('保养逾期：')).to.be.lessThan(content.indexOf('Maintenance overdue:'));
    expect(ding[0]?.body.markdown.title).to.equal('保养逾期 Maintenance overdue');
    expect(ding[0]?.body.markdown.text).to.equal(content);
    // the failures were retried: WeCom's 500, DingTalk's errcode; every DingTalk call was signed right
    expect(robots.received.filter((r) => r.robot === 'wecom').map((r) => r.answered)).to.deep.equal([500, 0]);
    expect(robots.received.filter((r) => r.robot === 'dingtalk').map((r) => r.answered)).to.deep.equal([130101, 0]);
    expect(robots.received.filter((r) => r.robot === 'dingtalk').every((r) => r.signed)).to.equal(true);
    expect(await raised('maintenance-overdue')).to.have.length(1);
  });

  it('a machine down longer than ALERT_MACHINE_DOWN_MINUTES raises one alert for that down period', async () => {
    await run('machine', 'M-A1', {
      type: 'ChangeMachineState',
      data: { machineId: 'M-A1', state: 'down', at: '2026-11-27T02:00:00.000Z' },
      // the press's own controller: a device that goes down without saying why has broken down
      meta: { ...at('2026-11-27T02:00:00.000Z'), actor: 'device:M-A1' },
    });
    await backbone.services.settle();
    await backbone.services.overdue.check('2026-11-27T02:14:00.000Z');
    expect(await raised('machine-down')).to.have.length(0);
    for (const minute of ['16', '30', '45']) await backbone.services.overdue.check(`2026-11-27T02:${minute}:00.000Z`);
    const down = await raised('machine-down');
    expect(down).to.have.length(1);
    const text = '设备停机：M-A1 自 2026-11-27 10:00 起停机，已超过 15 分钟（原因：breakdown）。';
    await waitFor(() => robots.delivered('wecom', text).length > 0, 'WeCom machine-down');
    await waitFor(() => robots.delivered('dingtalk', text).length > 0, 'DingTalk machine-down');
    expect(robots.delivered('wecom', text)).to.have.length(1);
    expect(robots.delivered('dingtalk', text)).to.have.length(1);
    expect(robots.delivered('dingtalk', text)[0]?.body.markdown.title).to.equal('设备停机 Machine down');
  });

  it('a failed inspection raises one alert: to the robot subscribed to it only, live to quality in the web app', async () => {
    // quality's live alert stream, open before the inspection fails
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${backbone.port}/api/alerts/stream`, {
      headers: { authorization: `Bearer ${tokens.quality}` },
      signal: controller.signal,
    });
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.include('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let stream = '';
    const streamed = (async () => {
      const decoder = new TextDecoder();
      while (!stream.includes('event: AlertRaised')) {
        const { value, done } = await reader.read();
        if (done) break;
        stream += decoder.decode(value, { stream: true });
      }
    })();

    await failInspection('IQ-A1', '2026-11-27T03:00:00.000Z');
    const text = '检验不合格：检验 IQ-A1（批次 L-IQ-A1，产品 SHAFT-20），不合格项：dia。';
    await waitFor(() => robots.delivered('dingtalk', text).length > 0, 'DingTalk inspection-failed');
    await streamed;
    controller.abort();
    expect(robots.delivered('dingtalk', text)).to.have.length(1);
    expect(
      robots.received.filter((r) => r.robot === 'wecom' && JSON.stringify(r.body).includes('IQ-A1')),
    ).to.have.length(0);
    const data = JSON.parse(/event: AlertRaised\ndata: (.*)\n/.exec(stream)?.[1] ?? '{}') as Record<string, unknown>;
    expect(data).to.include({ kind: 'inspection-failed', severity: 'warning', alertId: 'inspection-failed:IQ-A1' });
    expect((data['text'] as Record<string, string>)['en']).to.equal(
      'Inspection failed: IQ-A1 (lot L-IQ-A1, product SHAFT-20); failed: dia.',
    );
  });

  it('GET /api/alerts lists the kinds of the caller’s roles, newest first', async () => {
    await backbone.readModels.idle();
    const maintenance = await api.get('/api/alerts', 'maintenance');
    expect(maintenance.status).to.equal(200);
    const mine = maintenance.body as { kinds: string[]; items: { kind: string; alertId: string }[] };
    expect(mine.kinds).to.deep.equal(['maintenance-overdue', 'machine-down', 'equipment-health']);
    expect(mine.items.map((a) => a.kind)).to.deep.equal(['machine-down', 'maintenance-overdue']);
    const quality = (await api.get('/api/alerts', 'quality')).body as typeof mine;
    expect(quality.items.map((a) => a.alertId)).to.deep.equal(['inspection-failed:IQ-A1']);
    const operator = (await api.get('/api/alerts', 'operator')).body as typeof mine;
    expect(operator).to.deep.equal({ kinds: [], items: [] });
    expect((await api.get('/api/alerts?limit=0', 'quality')).status).to.equal(400);
    expect((await api.get('/api/alerts', 'integrator')).status).to.equal(403);
  });

  it('after a restart on the same data folder nothing is raised or sent twice', async () => {
    const before = robots.received.length;
    await backbone.close();
    await start();
    await backbone.services.settle();
    // the machine is still down from the same instant, the plan still overdue for the same period
    expect(await backbone.services.overdue.check('2026-11-27T04:00:00.000Z')).to.equal(0);
    // a new alert after the restart: once it is delivered, anything queued before it was too (one robot serves in order)
    await failInspection('IQ-A2', '2026-11-27T04:00:00.000Z');
    await waitFor(() => robots.delivered('dingtalk', 'IQ-A2').length > 0, 'DingTalk IQ-A2');
    expect(robots.received.slice(before).map((r) => r.body.markdown.title)).to.deep.equal([
      '检验不合格 Inspection failed',
    ]);
    expect((await raised()).map((a) => a.alertId)).to.deep.equal([
      'maintenance-overdue:P-A1:2026-11-26T00:00:00.000Z',
      'machine-down:M-A1:2026-11-27T02:00:00.000Z',
      'inspection-failed:IQ-A1',
      'inspection-failed:IQ-A2',
    ]);
    const outbox = await api.get('/api/integration/outbox', 'integrator');
    expect(
      (outbox.body as { destinations: { destination: string; pending: number; delivered: number }[] }).destinations,
    ).to.deep.include.members([
      { destination: 'alert-wecom-1', pending: 0, failing: 0, delivered: 2 },
      { destination: 'alert-dingtalk-2', pending: 0, failing: 0, delivered: 4 },
    ]);
    const rows = backbone.alertOutbox?.rows() ?? [];
    expect(rows.every((row) => row.delivered_at !== null)).to.equal(true);
    expect(rows.map((row) => row.destination)).to.deep.equal([
      'alert-wecom-1',
      'alert-dingtalk-2',
      'alert-wecom-1',
      'alert-dingtalk-2',
      'alert-dingtalk-2',
      'alert-dingtalk-2',
    ]);
  });

  it('refuses at start an alerts file off its schema, or a robot on http:// without OUTBOUND_INSECURE', async () => {
    const file = join(temp.dir, 'bad-alerts.json');
    const problems = async (env: Record<string, string>) =>
      (
        (await rejection(Promise.resolve().then(() => loadConfig(env, schemas)))) as {
          problems: { path: string; message: string }[];
        }
      ).problems;
    writeFileSync(
      file,
      JSON.stringify({ webhooks: [{ kind: 'feishu', url: 'https://x.example/hook', alerts: ['machine-down'] }] }),
    );
    expect((await problems({ ALERTS_FILE: file })).map((p) => p.path)[0]).to.match(/^\/env\/ALERTS_FILE/);
    writeFileSync(
      file,
      JSON.stringify({ webhooks: [{ kind: 'wecom', url: 'http://x.example/hook', alerts: ['machine-down'] }] }),
    );
    expect(await problems({ ALERTS_FILE: file })).to.deep.equal([
      { path: '/env/ALERTS_FILE', message: '/webhooks/0/url must be https://' },
    ]);
    writeFileSync(file, JSON.stringify({ roles: { maintenance: ['machine-up'] } }));
    expect((await problems({ ALERTS_FILE: file })).map((p) => p.path)[0]).to.match(/^\/env\/ALERTS_FILE/);
  });
});
