import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { client, makeKeys } from '../support/apiClient';
import { startBackboneProcess, type BackboneProcess } from '../support/backboneProcess';
import { passwordLogin, type Browser as PersonBrowser } from '../support/people';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';
import { pda, SCREENSHOTS } from './fixture';
import { office, VIEWPORTS, type Office, type Size } from './office';
import { planAndRelease } from './seed';

type Event = {
  id: string;
  type: string;
  streamId: string;
  revision: number;
  position: string;
  recordedAt: string;
  metadata: { correlationId: string; actor: string };
  data: Record<string, unknown>;
};

/** The seeded plant's orders of a status (the auditor's key reads what the screens read). */
const ordersOf = async (plant: Office, status: string): Promise<string[]> => {
  const page = await plant.api.get(`/api/wip/orders?status=${status}&limit=50`, 'auditor');
  expect(page.status, page.text).to.equal(200);
  return (page.body as { items: Array<{ orderId: string }> }).items.map((o) => o.orderId);
};

const eventsOf = async (plant: Office, streamId: string): Promise<Event[]> => {
  const answer = await plant.api.get(`/api/streams/${encodeURIComponent(streamId)}/events`, 'auditor');
  expect(answer.status, answer.text).to.equal(200);
  return answer.body as Event[];
};

/**
 * An order whose operation was started, then later completed, with events between whose recording
 * instants the slider can rest: the operation's start, and the next instant the stream changed.
 */
const startedThenCompleted = async (plant: Office) => {
  const candidates = [...(await ordersOf(plant, 'Completed')), ...(await ordersOf(plant, 'InProgress'))];
  for (const orderId of candidates) {
    const events = await eventsOf(plant, `order-${orderId}`);
    for (const started of events.filter((e) => e.type === 'OperationStarted')) {
      const operationId = started.data['operationId'] as string;
      const completed = events.find(
        (e) =>
          e.type === 'OperationCompleted' && e.data['operationId'] === operationId && e.revision > started.revision,
      );
      const at = Date.parse(started.recordedAt);
      const next = events.find((e) => e.revision > started.revision && Date.parse(e.recordedAt) > at + 1);
      const between = events.filter((e) => e.revision > started.revision && Date.parse(e.recordedAt) <= at);
      // nothing paused or completed it within the instant of its start
      const untouched = between.every(
        (e) => e.data['operationId'] !== operationId || e.type === 'OperationQuantityReported',
      );
      if (completed && next && untouched)
        return { orderId, operationId, events, instant: Math.floor((at + Date.parse(next.recordedAt)) / 2) };
    }
  }
  throw new Error('the seeded plant has no order whose operation was started, then completed later');
};

const shoot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, name), fullPage: false });

describe('Office: the auditor’s screens (timeline, state as of an instant, genealogy, verification, exports)', function () {
  this.timeout(180_000);
  before(async function () {
    this.timeout(600_000);
    await office();
  });

  for (const size of ['desktop', 'phone'] as Size[]) {
    it(`moves the time slider to an instant an operation was running, not yet completed (${size})`, async () => {
      const plant = await office();
      const { orderId, operationId, events, instant } = await startedThenCompleted(plant);
      const { context, page } = await plant.open({ role: 'auditor', size });
      try {
        await page.goto('/office/audit');
        await page.getByTestId('audit-search-id').locator('input').fill(orderId);
        await page.getByTestId('audit-search-go').click();
        await page.waitForURL(new RegExp(`/office/audit/streams/order-${orderId}$`));
        // the timeline: every event, who and when
        await waitFor(
          async () => (await page.getByTestId('audit-event').count()) === events.length,
          'the timeline to list every event',
          30_000,
        );
        expect(await page.getByTestId('audit-event-actor').first().textContent()).to.equal(events[0]?.metadata.actor);
        expect(await page.getByTestId('audit-asof-mark').count()).to.equal(events.length);
        // at the end of its life the operation is completed
        const row = page.getByTestId(`audit-asof-op-${operationId}`);
        await waitFor(async () => (await row.getAttribute('data-status')) === 'completed', 'the latest state', 30_000);
        expect(await row.textContent()).to.contain('已完成');
        // back to the instant after it started: running
        await page.getByTestId('audit-asof-slider').fill(String(instant));
        await waitFor(async () => (await row.getAttribute('data-status')) === 'running', 'the earlier state', 30_000);
        expect(await row.textContent()).to.contain('运行中');
        expect(await page.getByTestId('audit-asof-status').getAttribute('data-status')).to.equal('InProgress');
        await shoot(page, `office-audit-timeline-${size}.png`);
        if (size === 'desktop') {
          // an event's correlation: what that one command caused, across streams
          const first = page.getByTestId('audit-event').nth(1);
          await first.getByTestId('audit-event-data-toggle').click();
          expect(await first.getByTestId('audit-event-data').textContent()).to.contain(orderId);
          await first.getByTestId('audit-event-trace').click();
          const trace = page.getByTestId('audit-trace');
          await trace.getByTestId('audit-event').first().waitFor();
          const correlation = events[1]?.metadata.correlationId as string;
          expect(await trace.getByTestId('audit-trace-id').textContent()).to.contain(correlation);
          const caused = await plant.api.get(`/api/correlations/${encodeURIComponent(correlation)}`, 'auditor');
          expect(await trace.getByTestId('audit-event').count()).to.equal((caused.body as Event[]).length);
        }
      } finally {
        await context.close();
      }
    });
  }

  it('draws a lot’s genealogy: the lot it was made from and the order that made it', async () => {
    const plant = await office();
    let found: { orderId: string; lotId: string } | undefined;
    for (const orderId of await ordersOf(plant, 'Completed')) {
      const lot = await plant.api.get(`/api/genealogy/${orderId}-FG/backward`, 'auditor');
      if (lot.status === 200 && (lot.body as { links: unknown[] }).links.length > 1) {
        found = { orderId, lotId: `${orderId}-FG` };
        break;
      }
    }
    if (!found) throw new Error('the seeded plant has no finished-goods lot with its bar steel traced');
    const backward = (await plant.api.get(`/api/genealogy/${found.lotId}/backward`, 'auditor')).body as {
      links: Array<{ from: string; to: string }>;
    };
    const expected = new Set(backward.links.flatMap((l) => [l.from, l.to]));
    const { context, page } = await plant.open({ role: 'auditor', size: 'desktop' });
    try {
      await page.goto(`/office/audit/streams/lot-${found.lotId}`);
      const nodes = page.getByTestId('audit-genealogy-node');
      await waitFor(async () => (await nodes.count()) >= expected.size, 'the genealogy nodes', 30_000);
      const drawn = await nodes.evaluateAll((items) =>
        items.map((item) => (item as unknown as { dataset: Record<string, string> }).dataset['node']),
      );
      expect(drawn).to.include.members([...expected]);
      expect(drawn).to.include.members([`lot:${found.orderId}-BAR`, `order:${found.orderId}`, `lot:${found.lotId}`]);
      await page.getByTestId('audit-genealogy').locator('canvas').first().waitFor();
      await page.getByTestId('audit-genealogy').scrollIntoViewIfNeeded();
      await shoot(page, 'office-audit-genealogy-desktop.png');
    } finally {
      await context.close();
    }
  });

  it('downloads the order’s events as NDJSON, and its EPCIS document, with the session', async () => {
    const plant = await office();
    const [orderId] = await ordersOf(plant, 'Completed');
    const events = await eventsOf(plant, `order-${orderId}`);
    const { context, page } = await plant.open({ role: 'auditor', size: 'desktop' });
    try {
      await page.goto(`/office/audit/streams/order-${orderId}`);
      await page.getByTestId('audit-event').first().waitFor();
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('audit-download-ndjson').click(),
      ]);
      expect(file.suggestedFilename()).to.equal(`order-${orderId}.ndjson`);
      const lines = readFileSync(await file.path(), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Event);
      expect(lines.map((e) => e.id)).to.deep.equal(events.map((e) => e.id));
      expect(lines.every((e) => e.streamId === `order-${orderId}`)).to.equal(true);
      // and its traceability as EPCIS 2.0 JSON-LD
      const [epcis] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('audit-download-epcis').click(),
      ]);
      const document = JSON.parse(readFileSync(await epcis.path(), 'utf8')) as Record<string, unknown>;
      expect(document['type']).to.equal('EPCISDocument');
      expect(JSON.stringify(document)).to.contain(orderId);
    } finally {
      await context.close();
    }
  });

  describe('chain verification on a store of its own', () => {
    const temp = makeTempDir('mes-audit-verify-');
    const keys = makeKeys(temp.dir);
    const env = {
      DATA_DIR: temp.dir,
      API_KEYS_FILE: keys.file,
      LOG_LEVEL: 'warn',
      NATS_URL: '',
      // a checkpoint at every event: the order is signed as soon as it is written
      PROOF_CHECKPOINT_EVENTS: '1',
    };
    let backbone: BackboneProcess | undefined;
    let person: PersonBrowser;

    /** The auditor's browser at this backbone (the session survives a restart: sessions.db). */
    const openAuditor = async (baseUrl: string) => {
      const context = await pda().browser.newContext({
        baseURL: baseUrl,
        viewport: VIEWPORTS.desktop,
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
      });
      const [name, value] = person.cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url: baseUrl }]);
      await context.addInitScript((csrf) => {
        const storage = (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } })
          .localStorage;
        storage.setItem('mes.office.csrf', csrf);
      }, person.csrf);
      return { context, page: await context.newPage() };
    };
    const verifyLog = async (page: Page) => {
      await page.goto('/office/audit/verify');
      await page.getByTestId('verify-log-run').click();
      return page.getByTestId('verify-log-result').waitFor({ timeout: 60_000 });
    };

    after(async () => {
      await backbone?.stop();
      temp.remove();
    });

    it('shows “intact” for a clean store, and names the stream and position of one byte altered', async function () {
      this.timeout(420_000);
      backbone = await startBackboneProcess(env, 120_000);
      const api = client(backbone.baseUrl, keys.tokens);
      const made = await api.post(
        '/api/people',
        { personId: 'zhou.min', displayName: '周敏', roles: ['auditor'] },
        'secadmin',
      );
      expect(made.status, made.text).to.equal(201);
      const first = (made.body as { oneTimePassword: string }).oneTimePassword;
      const login = await passwordLogin(backbone.baseUrl, 'zhou.min', first);
      person = login.browser as PersonBrowser;
      const changed = await person.call('POST', '/api/me/password', {
        currentPassword: first,
        newPassword: 'Audit-Trail-2026-Zhou',
      });
      expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
      const order = await planAndRelease(api, { workCenter: 'WC-AUDIT', dueInHours: 24 * 365 });
      const streamId = `order-${order.orderId}`;
      const planned = (await api.get(`/api/streams/${streamId}/events`, 'auditor')).body as Event[];
      const victim = planned.find((e) => e.type === 'OrderPlanned') as Event;
      // the notary signed a checkpoint over the order's events
      const last = planned[planned.length - 1] as Event;
      await waitFor(
        async () => (await api.get(`/api/proof/events/${last.id}/inclusion`, 'auditor')).status === 200,
        'a checkpoint over the order',
        30_000,
      );

      let browser = await openAuditor(backbone.baseUrl);
      try {
        await verifyLog(browser.page);
        const verdict = browser.page.getByTestId('verify-log-verdict');
        expect(await browser.page.getByTestId('verify-log-result').getAttribute('data-ok')).to.equal('true');
        expect(await verdict.textContent()).to.contain('完好');
      } finally {
        await browser.context.close();
      }

      await backbone.stop();
      backbone = undefined;
      // one byte of the order's first event: its quantity's first digit
      const db = new Database(join(temp.dir, 'events.db'));
      const row = db
        .prepare<[string], { position: number; data: Buffer | string }>(
          'SELECT position, data FROM events WHERE id = ?',
        )
        .get(victim.id) as { position: number; data: Buffer | string };
      const bytes = Buffer.from(row.data);
      const at = bytes.indexOf('"quantity":') + '"quantity":'.length;
      expect(String.fromCharCode(bytes[at] as number)).to.match(/[0-9]/);
      bytes[at] = (bytes[at] as number) === 0x39 ? 0x38 : (bytes[at] as number) + 1;
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(
        typeof row.data === 'string' ? bytes.toString('utf8') : bytes,
        row.position,
      );
      db.close();

      backbone = await startBackboneProcess(env, 120_000);
      const again = await passwordLogin(backbone.baseUrl, 'zhou.min', 'Audit-Trail-2026-Zhou');
      person = again.browser as PersonBrowser;
      browser = await openAuditor(backbone.baseUrl);
      try {
        await verifyLog(browser.page);
        const page = browser.page;
        expect(await page.getByTestId('verify-log-result').getAttribute('data-ok')).to.equal('false');
        expect(await page.getByTestId('verify-log-verdict').textContent()).to.contain('发现篡改');
        const problem = page.getByTestId('verify-log-problem').first();
        expect(await problem.getAttribute('data-stream')).to.equal(streamId);
        expect(await problem.getAttribute('data-position')).to.equal(String(row.position));
        expect(await problem.textContent()).to.contain(streamId);
        await shoot(page, 'office-audit-verify-desktop.png');
        // the stream's own chain names the revision
        await page.goto(`/office/audit/verify?stream=${streamId}`);
        await page.getByTestId('verify-stream-run').click();
        const result = page.getByTestId('verify-stream-result');
        await result.waitFor();
        expect(await result.getAttribute('data-ok')).to.equal('false');
        expect(await result.textContent()).to.contain(`${streamId}：第 ${victim.revision} 版起`);
      } finally {
        await browser.context.close();
      }
    });
  });
});
