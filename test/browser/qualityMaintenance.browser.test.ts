import { expect } from 'chai';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { waitFor } from '../support/waitFor';
import { SCREENSHOTS } from './fixture';
import { office } from './office';

type Plan = { planId: string; machineId: string; lastPerformedAt: string | null };
type Loop = { nonconformanceId: string; state: string; dispositions: Array<{ disposition: string; quantity: number }> };
type Request = { requestId: string; machineId: string; status: string; openedAt: string };
type Summary = {
  date: string;
  segments: Array<{ state: string }>;
  reliability: { mtbfHours: number | null; mttrHours: number | null };
};

const PLANT_ZONE = 'Asia/Shanghai';
/** Hours as the office shows them: the person's locale, two decimals. */
const hours = (value: number): string =>
  new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
const localDay = (iso: string): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: PLANT_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(iso),
  );
/** A phone's screenshot is the whole page; a desktop's the screen (its lists scroll in their panels). */
const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, name), fullPage: name.endsWith('-phone.png') });
/** The ids the page lists under a data-test prefix, in order. */
const listed = async (page: Page, container: string, prefix: string): Promise<string[]> => {
  const ids: string[] = [];
  for (const node of await page.getByTestId(container).locator(`[data-test^="${prefix}"]`).all())
    ids.push(((await node.getAttribute('data-test')) ?? '').slice(prefix.length));
  return ids;
};
/** The colour the text is drawn in (the test's tsconfig has no DOM types). */
type Styled = { getComputedStyle(element: unknown): { color: string } };
const colourOf = (element: unknown): string => (globalThis as unknown as Styled).getComputedStyle(element).color;

describe('Office: the quality and maintenance screens', function () {
  this.timeout(180_000);
  // an inspection of an order in progress, as quality requests it by hand: a measured diameter with limits
  const inspectionId = `QM-${Date.now().toString(36)}`;
  const ncId = `NC-${inspectionId}`;

  before(async function () {
    this.timeout(600_000);
    const { api, as } = await office();
    const orders = (await api.get('/api/wip/orders?status=InProgress&limit=1', 'planner')).body as {
      items: Array<{ orderId: string; product: string }>;
    };
    const order = orders.items[0];
    if (!order) throw new Error('the seeded plant has no order in progress');
    const requested = await (
      await as('quality')
    ).call('POST', '/api/inspections', {
      inspectionId,
      orderId: order.orderId,
      product: order.product,
      quantity: 10,
      unit: 'pcs',
      characteristics: [
        {
          name: 'diameter',
          kind: 'measured',
          names: { 'zh-CN': '外径', en: 'Diameter' },
          nominal: 40,
          lower: 39.9,
          upper: 40.1,
          unit: 'mm',
        },
        { name: 'visual', kind: 'attribute', names: { 'zh-CN': '外观', en: 'Visual' } },
      ],
    });
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    await waitFor(
      async () =>
        ((await api.get('/api/quality/worklist/inspections', 'quality')).body as Array<{ inspectionId: string }>).some(
          (i) => i.inspectionId === inspectionId,
        ),
      'the inspection on the quality worklist',
      30_000,
    );
  });

  it('marks an out-of-limit value as it is typed, naming the limit; the failed inspection opens an NC shown on the quality screen', async () => {
    const { open } = await office();
    const { context, page } = await open({ role: 'quality', size: 'phone' });
    try {
      await page.goto('/office/quality');
      await page.getByTestId(`record-${inspectionId}`).click();
      await page.waitForURL(new RegExp(`/office/quality/inspections/${inspectionId}$`));
      const limits = page.getByTestId('limits-diameter');
      expect(await limits.textContent())
        .to.contain('下限 39.9 mm')
        .and.contain('上限 40.1 mm');
      const value = page.getByTestId('value-diameter');
      await value.pressSequentially('40.0');
      expect(await page.getByTestId('verdict-diameter').textContent()).to.contain('在公差范围内');
      await value.fill('');
      await value.pressSequentially('40.3');
      // marked while typing, before anything is sent: red, with the limit it crosses
      const verdict = page.getByTestId('verdict-diameter');
      expect((await verdict.textContent())?.trim()).to.equal('超出上限 40.1 mm');
      expect(await value.getAttribute('aria-invalid')).to.equal('true');
      expect(await verdict.evaluate(colourOf)).to.equal('rgb(204, 0, 0)');
      await page.getByTestId('pass-visual').click();
      await shot(page, 'office-quality-record-phone.png');
      await page.getByTestId('record-submit').click();
      await page.waitForURL(/\/office\/quality\?tab=nonconformances/);
      const card = page.getByTestId(`nc-${ncId}`);
      await card.waitFor({ timeout: 30_000 });
      expect(await card.textContent())
        .to.contain('数量 10 pcs')
        .and.contain('diameter = 40.3');
    } finally {
      await context.close();
    }
    const desktop = await open({ role: 'quality', size: 'desktop' });
    try {
      await desktop.page.goto('/office/quality');
      await desktop.page.getByTestId(`nc-${ncId}`).waitFor();
      await shot(desktop.page, 'office-quality-desktop.png');
    } finally {
      await desktop.context.close();
    }
  });

  it('refuses a disposition split that does not sum to the NC quantity in the form, and records one that does', async () => {
    const { open, api } = await office();
    const { context, page } = await open({ role: 'quality', size: 'phone' });
    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/disposition')) sent.push(r.url());
    });
    try {
      await page.goto('/office/quality?tab=nonconformances');
      await page.getByTestId(`dispose-${ncId}`).click();
      const form = page.getByTestId('disposition-form');
      await form.getByTestId('split-scrap').fill('4');
      await form.getByTestId('split-use-as-is').fill('5');
      expect(await form.getByTestId('split-sum').textContent()).to.contain('合计 9 / 10');
      await form.getByTestId('disposition-submit').click();
      expect(await form.getByTestId('split-error').textContent()).to.contain('分配数量合计为 9，须等于 10');
      expect(sent, 'nothing is sent while the split does not sum').to.deep.equal([]);
      await shot(page, 'office-quality-phone.png');
      await form.getByTestId('split-use-as-is').fill('6');
      expect(await form.getByTestId('split-sum').textContent()).to.contain('合计 10 / 10');
      await form.getByTestId('disposition-submit').click();
      const loop = await waitFor(
        async () =>
          ((await api.get(`/api/quality/loops`, 'quality')).body as Loop[]).find(
            (l) => l.nonconformanceId === ncId && l.dispositions.length === 2,
          ),
        'the split recorded',
        30_000,
      );
      expect(loop.dispositions.map((d) => [d.disposition, d.quantity])).to.deep.equal([
        ['scrap', 4],
        ['use-as-is', 6],
      ]);
      expect(sent).to.have.length(1);
      // disposed of entirely: the NC leaves the open list (or shows what was decided while it closes)
      // (read without waiting: the card may leave the list between two looks)
      await waitFor(
        async () => {
          const texts = await page.getByTestId(`nc-${ncId}`).allTextContents();
          return texts.length === 0 || texts.some((text) => text.includes('报废 4'));
        },
        'the NC disposed of on the screen',
        30_000,
      );
    } finally {
      await context.close();
    }
  });

  it('releases a hold in force, with a reason, after a confirmation', async () => {
    const { open, api, as } = await office();
    // a second failed inspection of an order in progress: its NC holds the order
    const quality = await as('quality');
    const orders = (await api.get('/api/wip/orders?status=InProgress&limit=1', 'planner')).body as {
      items: Array<{ orderId: string }>;
    };
    const orderId = orders.items[0]?.orderId as string;
    const held = `${inspectionId}-H`;
    const requested = await quality.call('POST', '/api/inspections', {
      inspectionId: held,
      orderId,
      quantity: 3,
      unit: 'pcs',
      characteristics: [{ name: 'length', kind: 'measured', lower: 99.5, upper: 100.5, unit: 'mm' }],
    });
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    const failed = await quality.call('POST', `/api/inspections/${held}/results`, {
      results: [{ characteristic: 'length', value: 101 }],
    });
    expect(failed.status, JSON.stringify(failed.body)).to.equal(200);
    const holdId = `NC-${held}`;
    type HoldRow = { orderId: string; holdId: string };
    const inForce = async () => (await api.get('/api/quality/worklist/holds', 'quality')).body as HoldRow[];
    await waitFor(async () => (await inForce()).some((h) => h.holdId === holdId), 'the NC’s hold in force', 30_000);
    const { context, page } = await open({ role: 'quality', size: 'desktop' });
    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/release')) sent.push(r.url());
    });
    try {
      await page.goto('/office/quality');
      await page.getByTestId(`release-${holdId}`).click();
      const dialog = page.getByRole('dialog');
      expect(await dialog.textContent()).to.contain(`确认解除订单 ${orderId} 的质量暂停 ${holdId}？`);
      await dialog.getByRole('button', { name: '确认' }).click();
      await dialog.getByText('请填写解除原因').waitFor();
      expect(sent, 'no release without a reason').to.deep.equal([]);
      await page.getByTestId('release-reason').locator('input').fill('量具复核：测量误差，实物合格');
      await dialog.getByRole('button', { name: '确认' }).click();
      await page.getByTestId(`hold-${holdId}`).waitFor({ state: 'detached', timeout: 30_000 });
      expect(sent).to.have.length(1);
      expect((await inForce()).map((h) => h.holdId)).not.to.include(holdId);
    } finally {
      await context.close();
    }
  });

  it('lists the overdue plans the API lists, and records work performed with its checklist ticked: the plan leaves the overdue list', async () => {
    const { open, api, as } = await office();
    // a daily plan with a checklist that started three days ago: the overdue clock finds it past due
    const soon = (await api.get('/api/maintenance/due-soon', 'maintenance')).body as { plans: Plan[] };
    const machineId = soon.plans[0]?.machineId;
    if (!machineId) throw new Error('the seeded plant has no maintenance plan');
    const planId = `PM-QM-${Date.now().toString(36)}`;
    const checklist = ['导轨润滑', '清理铁屑', '检查冷却液液位'];
    const defined = await (
      await as('maintenance')
    ).call('POST', '/api/maintenance-plans', {
      planId,
      machineId,
      kind: 'maintenance',
      title: '每日保养（检查清单）',
      cycle: { unit: 'days', every: 1 },
      startsAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
      checklist,
    });
    expect(defined.status, JSON.stringify(defined.body)).to.equal(201);
    await waitFor(
      async () =>
        ((await api.get('/api/maintenance/overdue', 'maintenance')).body as Plan[]).some((p) => p.planId === planId),
      'the overdue clock to find the plan past due',
      150_000,
    );
    const desktop = await open({ role: 'maintenance', size: 'desktop' });
    try {
      await desktop.page.goto('/office/maintenance');
      await desktop.page.getByTestId(`overdue-${planId}`).waitFor();
      await shot(desktop.page, 'office-maintenance-desktop.png');
    } finally {
      await desktop.context.close();
    }
    const { context, page } = await open({ role: 'maintenance', size: 'phone' });
    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/perform')) sent.push(r.url());
    });
    try {
      await page.goto('/office/maintenance');
      await waitFor(
        async () => {
          const fromApi = ((await api.get('/api/maintenance/overdue', 'maintenance')).body as Plan[]).map(
            (p) => p.planId,
          );
          const shown = await listed(page, 'maintenance-overdue', 'overdue-');
          return fromApi.includes(planId) && JSON.stringify(shown) === JSON.stringify(fromApi);
        },
        'the overdue plans of the API on the screen',
        30_000,
      );
      const card = page.getByTestId(`overdue-${planId}`);
      await card.getByTestId(`perform-${planId}`).click();
      const form = card.getByTestId('perform-form');
      const boxes = await form.getByTestId('perform-checklist').locator('input[type="checkbox"]').all();
      expect(boxes).to.have.length(3);
      expect(await form.getByTestId('perform-checklist').textContent()).to.contain('清理铁屑');
      await boxes[0]?.check();
      await form.getByTestId('perform-submit').click();
      expect(await form.getByTestId('perform-error').textContent()).to.contain('请勾选所有检查项');
      expect(sent, 'nothing is sent until every item is ticked').to.deep.equal([]);
      for (const box of boxes) await box.check();
      await shot(page, 'office-maintenance-phone.png');
      await form.getByTestId('perform-submit').click();
      await card.waitFor({ state: 'detached', timeout: 30_000 });
      expect(sent).to.have.length(1);
      const after = ((await api.get('/api/maintenance/overdue', 'maintenance')).body as Plan[]).map((p) => p.planId);
      expect(after).not.to.include(planId);
      const plan = (
        (await api.get(`/api/maintenance/machines/${machineId}`, 'maintenance')).body as { plans: Plan[] }
      ).plans.find((p) => p.planId === planId);
      expect(plan?.lastPerformedAt).to.be.a('string');
    } finally {
      await context.close();
    }
  });

  it('shows a machine’s state timeline for a chosen day, with the MTBF and MTTR the API gives', async () => {
    const { open, api } = await office();
    const requests = (await api.get('/api/maintenance/requests?status=closed', 'maintenance')).body as Request[];
    // a repaired breakdown whose day also shows the machine running: the newest may be one another test
    // raised and closed within seconds on a machine idle since midnight (the plant's local day begins at
    // 16:00 UTC, so early in it such a day has no running at all)
    let found: { request: Request; day: string; expected: Summary } | undefined;
    for (const request of requests) {
      const day = localDay(request.openedAt);
      const summary = (await api.get(`/api/machines/${request.machineId}/summary?day=${day}`, 'maintenance'))
        .body as Summary;
      if (summary.segments.some((s) => s.state === 'running')) {
        found = { request, day, expected: summary };
        break;
      }
    }
    if (!found) throw new Error('the seeded plant has no repaired breakdown on a day its machine also ran');
    const { request, day, expected } = found;
    const { mtbfHours, mttrHours } = expected.reliability;
    if (mtbfHours === null || mttrHours === null) throw new Error('a repaired machine has MTBF and MTTR');
    const { context, page } = await open({ role: 'maintenance', size: 'desktop' });
    try {
      await page.goto('/office/maintenance?tab=requests');
      await page.getByTestId(`request-${request.requestId}`).getByRole('link').first().click();
      await page.waitForURL(new RegExp(`/office/maintenance/machines/${request.machineId}`));
      await page.getByTestId('machine-day').fill(day);
      await page.getByTestId('machine-day').dispatchEvent('change');
      const timeline = page.locator(`[data-test="machine-timeline"][data-day="${day}"]`);
      await timeline.waitFor();
      expect(Number(await timeline.getAttribute('data-segments'))).to.equal(expected.segments.length);
      for (const state of new Set(expected.segments.map((s) => s.state)))
        expect(await page.getByTestId(`total-${state}`).count(), state).to.equal(1);
      expect(await page.getByTestId('timeline-totals').textContent()).to.contain('运行');
      expect((await page.getByTestId('mtbf').textContent())?.trim()).to.equal(hours(mtbfHours));
      expect((await page.getByTestId('mttr').textContent())?.trim()).to.equal(hours(mttrHours));
      // the chart is drawn: a canvas the width of its box
      expect(
        await timeline
          .locator('canvas')
          .first()
          .evaluate((c) => (c as unknown as { width: number }).width),
      ).to.be.greaterThan(300);
      await shot(page, 'office-machine-desktop.png');
    } finally {
      await context.close();
    }
  });
});
