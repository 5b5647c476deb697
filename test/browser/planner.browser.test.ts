import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { SCREENSHOTS } from './fixture';
import { office, type Size } from './office';

type Entry = { orderId: string; operationId: string; priority: number };
type Center = { queue: Entry[]; dispatchRule: string };
type Order = { orderId: string; status: string; priority: number };

/** Resolves once `probe` answers something truthy (the read models apply a command a moment after it). */
const until = async <T>(probe: () => Promise<T | undefined | false>, what: string, ms = 20_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

const queueOf = async (workCenter: string): Promise<Center> =>
  (await (await office()).api.get(`/api/wip/work-centers/${workCenter}`, 'planner')).body as Center;
const orderOf = async (orderId: string): Promise<Order> =>
  (await (await office()).api.get(`/api/wip/orders/${orderId}`, 'planner')).body as Order;
/** The orders a list on the screen shows, in its order. */
const ordersShown = async (rows: Locator): Promise<Array<string | null>> =>
  Promise.all((await rows.all()).map((row) => row.getAttribute('data-order')));
const shoot = (page: Page, screen: string, size: Size) =>
  page.screenshot({ path: join(SCREENSHOTS, `office-planner-${screen}-${size}.png`) });

/** The simulator's turning work center. */
const TURN = 'WC-TURN';
const DAY = 86_400_000;
const TURNING = {
  operationId: '010',
  code: 'TURN',
  workCenter: TURN,
  standardMinutesPerUnit: 3,
  setupMinutes: 15,
  inspectionRequired: false,
  materials: [],
};

/**
 * Orders released for this file, waiting at turning: the simulator's plant has more machines than orders,
 * so its own queues are empty once it stops. Priorities 2, 4, 6 and 8, due a month ahead and later; each
 * with its routing (the simulated plant's master data may take effect at its simulated time, later than now).
 */
const seedQueue = async (): Promise<string[]> => {
  const planner = await (await office()).as('planner');
  const run = randomUUID().slice(0, 6).toUpperCase();
  const ids: string[] = [];
  for (const [i, priority] of [2, 4, 6, 8].entries()) {
    const orderId = `PL-${run}-${i + 1}`;
    const dueDate = new Date(Date.now() + (30 + i) * DAY).toISOString();
    const planned = await planner.call('POST', '/api/orders', {
      orderId,
      product: 'SHAFT-20',
      quantity: 10,
      unit: 'pcs',
      customer: '上海电机厂',
      priority,
      dueDate,
      routing: { overlap: false, operations: [TURNING] },
    });
    expect(planned.status, JSON.stringify(planned.body)).to.equal(201);
    const released = await planner.call('POST', `/api/orders/${orderId}/release`, {});
    expect(released.status, JSON.stringify(released.body)).to.equal(200);
    ids.push(orderId);
  }
  await until(async () => {
    const queued = new Set((await queueOf(TURN)).queue.map((e) => e.orderId));
    return ids.every((id) => queued.has(id));
  }, 'the released orders in the turning queue');
  return ids;
};

describe('Office: the planner’s screens', function () {
  this.timeout(180_000);
  let seeded: string[] = [];
  before(async function () {
    this.timeout(600_000);
    await office();
    seeded = await seedQueue();
  });

  it('reorders a dispatch queue by dragging an order: its new priority goes to the backbone and the queue follows', async () => {
    const wc = TURN;
    const before = await queueOf(wc);
    // the seeded order of priority 8, dropped on the first place
    const from = before.queue.findIndex((e) => e.orderId === seeded[3]);
    expect(from, 'the order of priority 8 behind the others').to.be.greaterThan(0);
    const moved = before.queue[from] as Entry;
    const { open } = await office();
    const { context, page } = await open({ role: 'planner', size: 'desktop' });
    try {
      await page.goto(`/office/planner/dispatch?wc=${wc}`);
      const rows = page.getByTestId('queue-row');
      await until(async () => (await rows.count()) === before.queue.length, 'the queue on the screen');
      expect(await ordersShown(rows)).to.deep.equal(before.queue.map((e) => e.orderId));
      await shoot(page, 'dispatch', 'desktop');
      const handle = page.getByTestId('queue-handle').nth(from);
      await handle.scrollIntoViewIfNeeded();
      const grip = await handle.boundingBox();
      const top = await rows.first().boundingBox();
      if (!grip || !top) throw new Error('the queue is not drawn');
      await page.mouse.move(grip.x + grip.width / 2, grip.y + grip.height / 2);
      await page.mouse.down();
      // in steps, as a hand moves: the rows make room as it passes them
      await page.mouse.move(grip.x + grip.width / 2, top.y + 4, { steps: 12 });
      await page.mouse.up();
      // the backbone has the order's new priority, and its queue puts it nearer the front
      const after = await until(async () => {
        const now = await queueOf(wc);
        const at = now.queue.findIndex((e) => e.orderId === moved.orderId && e.operationId === moved.operationId);
        return at >= 0 && at < from ? now : undefined;
      }, 'the queue reordered');
      expect((await orderOf(moved.orderId)).priority).to.be.lessThan(moved.priority);
      // and the screen shows the queue as the backbone orders it
      await until(async () => {
        const shown = await ordersShown(rows);
        return JSON.stringify(shown) === JSON.stringify(after.queue.map((e) => e.orderId));
      }, 'the screen to show the new queue');
    } finally {
      await context.close();
    }
  });

  it('reorders a dispatch queue on a touch screen: a finger drags an order by its handle', async () => {
    const wc = TURN;
    const before = await queueOf(wc);
    const from = before.queue.map((e) => e.priority > 1).lastIndexOf(true);
    expect(from, 'an order in the queue whose priority can rise').to.be.greaterThan(0);
    const moved = before.queue[from] as Entry;
    const { open } = await office();
    const { context, page } = await open({ role: 'planner', size: 'phone' });
    try {
      await page.goto(`/office/planner/dispatch?wc=${wc}`);
      const rows = page.getByTestId('queue-row');
      await until(async () => (await rows.count()) === before.queue.length, 'the queue on the screen');
      await shoot(page, 'dispatch', 'phone');
      const grip = await page.getByTestId('queue-handle').nth(from).boundingBox();
      const top = await rows.first().boundingBox();
      if (!grip || !top) throw new Error('the queue is not drawn');
      // real touch events, as a finger makes them (Chromium's input, not synthetic DOM events)
      const cdp = await context.newCDPSession(page);
      const x = grip.x + grip.width / 2;
      const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', y: number) =>
        cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y }] });
      const startY = grip.y + grip.height / 2;
      await touch('touchStart', startY);
      for (let step = 1; step <= 12; step += 1) await touch('touchMove', startY + ((top.y + 4 - startY) * step) / 12);
      await touch('touchEnd', top.y + 4);
      await until(async () => {
        const now = await queueOf(wc);
        const at = now.queue.findIndex((e) => e.orderId === moved.orderId && e.operationId === moved.operationId);
        return at >= 0 && at < from;
      }, 'the queue reordered by touch');
      expect((await orderOf(moved.orderId)).priority).to.be.lessThan(moved.priority);
    } finally {
      await context.close();
    }
  });

  it('holds an order and resumes it, each after a confirmation, the reason asked for the hold; the status shows each time', async () => {
    const { open } = await office();
    const order = await orderOf(seeded[1] as string);
    expect(order.status).to.equal('Released');
    const { context, page } = await open({ role: 'planner', size: 'phone' });
    try {
      await page.goto('/office/planner');
      await page.getByTestId('order-row').first().waitFor();
      await shoot(page, 'orders', 'phone');
      await page.getByTestId('orders-status').selectOption('Released');
      const row = page.locator(`[data-test="order-row"][data-order="${order.orderId}"]`);
      expect(await row.getByTestId('order-status').textContent()).to.contain('已下达');
      await row.getByTestId('order-hold').click();
      const dialog = page.locator('.planner-confirm');
      await dialog.waitFor();
      expect(await dialog.textContent()).to.contain(order.orderId);
      // no reason: the dialog stays and says so
      await dialog.locator('.van-dialog__confirm').click();
      await dialog.getByText('请填写原因').waitFor();
      await dialog.locator('input').fill('来料待检');
      await dialog.locator('.van-dialog__confirm').click();
      await dialog.waitFor({ state: 'hidden' });
      await until(async () => (await orderOf(order.orderId)).status === 'OnHold', 'the order on hold');
      // the Released list no longer has it; on hold, it shows as such
      await row.waitFor({ state: 'detached' });
      await page.getByTestId('orders-status').selectOption('OnHold');
      await row.waitFor();
      expect(await row.getByTestId('order-status').textContent()).to.contain('已暂停');
      await row.getByTestId('order-resume').click();
      await dialog.waitFor();
      // resume takes no reason: a confirmation only
      expect(await dialog.locator('input').count()).to.equal(0);
      await dialog.locator('.van-dialog__confirm').click();
      await until(async () => (await orderOf(order.orderId)).status === 'Released', 'the order released again');
      await row.waitFor({ state: 'detached' });
      await page.getByTestId('orders-status').selectOption('');
      await row.waitFor();
      expect(await row.getByTestId('order-status').textContent()).to.contain('已下达');
    } finally {
      await context.close();
    }
    const desktop = await open({ role: 'planner', size: 'desktop' });
    try {
      await desktop.page.goto('/office/planner');
      await desktop.page.getByTestId('order-row').first().waitFor();
      await shoot(desktop.page, 'orders', 'desktop');
    } finally {
      await desktop.context.close();
    }
  });

  it('draws a work center’s Gantt of operations run and planned', async () => {
    const wc = TURN;
    const { open, as } = await office();
    const planner = await as('planner');
    const plant = (await planner.call('GET', '/api/planner/work-centers')).body as {
      now: string;
      workCenters: Array<{
        workCenter: string;
        bars: Array<{ kind: string; orderId: string; start: string; end: string }>;
      }>;
    };
    const gantt = plant.workCenters.find((w) => w.workCenter === wc);
    if (!gantt) throw new Error(`no Gantt of ${wc}`);
    // the seeded queue is planned, after what the simulator's operators ran
    expect(gantt.bars.filter((b) => b.kind === 'planned').map((b) => b.orderId)).to.include.members(seeded);
    const kinds = new Set(gantt.bars.map((b) => b.kind));
    expect([...kinds]).to.include.members(['done', 'planned']);
    expect(gantt.bars.every((b) => Date.parse(b.end) >= Date.parse(b.start))).to.equal(true);
    // planned work starts no earlier than now, in the queue's order
    const planned = gantt.bars.filter((b) => b.kind === 'planned');
    expect(planned.every((b) => Date.parse(b.start) >= Date.parse(plant.now))).to.equal(true);
    for (const size of ['desktop', 'phone'] as const) {
      const { context, page } = await open({ role: 'planner', size });
      try {
        await page.goto(`/office/planner/gantt?wc=${wc}`);
        const chart = page.getByTestId('gantt-chart');
        await chart.locator('canvas').waitFor();
        expect(Number(await chart.getAttribute('data-bars'))).to.equal(gantt.bars.length);
        // the chart has drawn (ECharts paints on the next frame)
        await page.waitForFunction(() => {
          const canvas = (
            globalThis as unknown as { document: { querySelector(s: string): unknown } }
          ).document.querySelector('[data-test="gantt-chart"] canvas') as { width: number } | null;
          return !!canvas && canvas.width > 0;
        });
        await shoot(page, 'gantt', size);
      } finally {
        await context.close();
      }
    }
  });

  it('uploads a B2MML schedule with one good and one bad request and lists each outcome', async () => {
    const { open } = await office();
    const good = `ERP-P-${randomUUID().slice(0, 8)}`;
    const bad = `ERP-P-${randomUUID().slice(0, 8)}`;
    // as the ERP writes it (test/fixtures/b2mml): turning for 12 shafts; the bad one's quantity is no number
    const request = (id: string, quantity: string) =>
      `<b2mml:ProductionRequest><b2mml:ID>${id}</b2mml:ID><b2mml:Description>Planner upload</b2mml:Description>` +
      `<b2mml:EndTime>2027-06-01T17:00:00+08:00</b2mml:EndTime><b2mml:Priority>4</b2mml:Priority>` +
      `<b2mml:SegmentRequirement><b2mml:ID>010</b2mml:ID><b2mml:ProcessSegmentID>TURN</b2mml:ProcessSegmentID>` +
      `<b2mml:Duration>PT1H</b2mml:Duration><b2mml:EquipmentRequirement><b2mml:EquipmentID>${TURN}</b2mml:EquipmentID></b2mml:EquipmentRequirement>` +
      `<b2mml:MaterialRequirement><b2mml:MaterialDefinitionID>SHAFT-20</b2mml:MaterialDefinitionID><b2mml:MaterialUse>Produced</b2mml:MaterialUse>` +
      `<b2mml:Quantity><b2mml:QuantityString>${quantity}</b2mml:QuantityString><b2mml:UnitOfMeasure>pcs</b2mml:UnitOfMeasure></b2mml:Quantity>` +
      `</b2mml:MaterialRequirement></b2mml:SegmentRequirement></b2mml:ProductionRequest>`;
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?><b2mml:ProductionSchedule xmlns:b2mml="http://www.mesa.org/xml/B2MML-V0600">` +
      `<b2mml:ID>SCH-PLANNER</b2mml:ID>${request(good, '12')}${request(bad, 'twelve')}</b2mml:ProductionSchedule>`;
    const { context, page } = await open({ role: 'planner', size: 'desktop' });
    try {
      await page.goto('/office/planner/schedules');
      await page
        .getByTestId('schedule-file')
        .setInputFiles({ name: 'schedule.xml', mimeType: 'application/xml', buffer: Buffer.from(xml) });
      await page.getByTestId('schedule-upload').click();
      const results = page.getByTestId('schedule-result');
      await until(async () => (await results.count()) === 2, 'two outcomes');
      const accepted = page.locator(`[data-test="schedule-result"][data-order="${good}"]`);
      const refused = page.locator(`[data-test="schedule-result"][data-order="${bad}"]`);
      expect(await accepted.getAttribute('data-outcome')).to.equal('planned');
      expect(await accepted.textContent()).to.contain('已接受');
      expect(await refused.getAttribute('data-outcome')).to.equal('refused');
      expect(await refused.textContent()).to.contain('已拒绝');
      // the reason names the element at fault
      expect(await refused.getByTestId('schedule-reason').textContent()).to.contain('QuantityString');
      expect(await page.getByTestId('schedule-summary').textContent()).to.contain('接受 1 个，拒绝 1 个');
      await shoot(page, 'schedules', 'desktop');
      // the accepted request is an order the planner's list has
      expect((await orderOf(good)).status).to.equal('Planned');
    } finally {
      await context.close();
    }
  });

  it('gives an analyst no planner menu, no planner screen and no planner command', async () => {
    const { open, as } = await office();
    const wc = TURN;
    const entry = (await queueOf(wc)).queue.find((e) => e.orderId === seeded[2]) as Entry;
    const analyst = await as('analyst');
    const refused = await analyst.call('POST', `/api/orders/${entry.orderId}/reprioritise`, { priority: 1 });
    expect(refused.status).to.equal(403);
    expect((await analyst.call('POST', `/api/orders/${entry.orderId}/hold`, { reason: 'x' })).status).to.equal(403);
    expect((await orderOf(entry.orderId)).priority).to.equal(entry.priority);
    const { context, page } = await open({ role: 'analyst', size: 'desktop' });
    try {
      await page.goto(`/office/planner/dispatch?wc=${wc}`);
      await page.waitForURL(/\/office\/dashboard\?forbidden=planner/);
      const menu = page.getByTestId('office-menu');
      await menu.getByTestId('menu-dashboard').waitFor();
      expect(await menu.getByTestId('menu-planner').count()).to.equal(0);
      expect(await page.getByTestId('queue-handle').count()).to.equal(0);
    } finally {
      await context.close();
    }
  });
});
