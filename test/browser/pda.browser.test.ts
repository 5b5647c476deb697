import { expect } from 'chai';
import { join } from 'node:path';
import { waitFor } from '../support/waitFor';
import { pda, SCREENSHOTS } from './fixture';
import { cardPayload, orderEvents, planAndRelease } from './seed';

describe('PDA: log in, my work, scan a card and act on it (Chromium, 360×640, touch)', function () {
  this.timeout(120_000);

  it('logs in on a registered PDA with badge and PIN, shows my work with Chinese names, updated live, and logs out in one tap', async () => {
    const { api, pdaToken, open } = pda();
    const first = await planAndRelease(api, { workCenter: 'WC-LOGIN', dueInHours: -5, priority: 2 });
    const person = await api.post(
      '/api/people',
      { personId: 'op-7', displayName: '王芳', roles: ['operator'], workCenters: ['WC-LOGIN'], badgeId: 'B-0007' },
      'secadmin',
    );
    expect(person.status, JSON.stringify(person.body)).to.equal(201);
    const { pin } = (await api.post('/api/people/op-7/pin', {}, 'secadmin')).body as { pin: string };
    const { context, page } = await open({ login: false });
    try {
      await page.goto('/');
      await page.getByTestId('device-key').locator('input').fill(pdaToken);
      await page.getByRole('button', { name: '保存密钥' }).tap();
      await page.getByTestId('pin').waitFor();
      await page.getByTestId('operator-id').locator('input').fill('B-0007');
      await page.getByTestId('pin').locator('input').fill(pin);
      await page.screenshot({ path: join(SCREENSHOTS, 'pda-login.png') });
      await page.getByTestId('login').tap();
      await page.waitForURL('**/work');
      expect(await page.getByTestId('who').textContent()).to.equal('王芳');
      const item = page.getByTestId('work-item').filter({ hasText: first.orderId });
      await item.waitFor();
      const text = await item.innerText();
      expect(text).to.include('上海电机厂').and.include('SHAFT-20').and.include('工序 010');
      expect(text).to.include('已完成 0 / 20 pcs').and.include('剩余 20').and.include('已逾期');
      expect(text).to.include('下一步：扫码开工');
      // a new order released elsewhere once the live stream is open appears without a reload
      await page.getByTestId('network').filter({ hasText: '实时' }).waitFor();
      await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 1));
      const second = await planAndRelease(api, { workCenter: 'WC-LOGIN', dueInHours: 24, priority: 1 });
      await page.getByTestId('work-item').filter({ hasText: second.orderId }).waitFor({ timeout: 15_000 });
      expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).to.equal(1);
      // dispatch order: priority 1 before priority 2
      const orders = await page.getByTestId('work-item').allInnerTexts();
      expect(orders.findIndex((t) => t.includes(second.orderId))).to.be.lessThan(
        orders.findIndex((t) => t.includes(first.orderId)),
      );
      await page.screenshot({ path: join(SCREENSHOTS, 'pda-work-list.png') });
      // every control a thumb taps is at least 44 px high and wide (WCAG 2.5.5's target size)
      const small = await page.locator('button, a, input, [role="button"]').evaluateAll((nodes) =>
        nodes
          .map((node) => {
            const box = (
              node as unknown as { getBoundingClientRect(): { width: number; height: number } }
            ).getBoundingClientRect();
            return { what: (node as unknown as { outerHTML: string }).outerHTML.slice(0, 80), box };
          })
          .filter(({ box }) => box.width > 0 && (box.height < 44 || box.width < 44)),
      );
      expect(small, JSON.stringify(small)).to.deep.equal([]);
      expect(await page.locator('button, a, input, [role="button"]').count(), 'controls checked').to.be.greaterThan(3);
      // English on one tap (loaded when chosen), and back
      await page.getByRole('button', { name: 'English' }).tap();
      await page.getByText('My work', { exact: true }).waitFor();
      expect(await item.innerText()).to.include('Next: scan to start');
      await page.getByRole('button', { name: '中文' }).tap();
      await page.getByText('我的任务', { exact: true }).waitFor();
      await page.getByTestId('logout').tap();
      await page.waitForURL('**/login**');
      expect(await page.getByTestId('who').count()).to.equal(0);
      // the PDA keeps no session once logged out
      const kept = await page.evaluate(() =>
        (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem(
          'mes.sessionToken',
        ),
      );
      expect(kept).to.equal(null);
    } finally {
      await context.close();
    }
  });

  it('re-reads my work every 10 s when the live stream is refused (a proxy that does not pass it, say)', async () => {
    const { api, open } = pda();
    const { context, page } = await open({ operatorId: 'op-11', workCenters: ['WC-POLL'] });
    await context.route('**/api/events/stream', (route) =>
      route.fulfill({ status: 403, contentType: 'application/problem+json', body: '{"status":403}' }),
    );
    try {
      await page.goto('/work');
      await page.getByTestId('network').filter({ hasText: '定时刷新' }).waitFor();
      const order = await planAndRelease(api, { workCenter: 'WC-POLL' });
      await page.getByTestId('work-item').filter({ hasText: order.orderId }).waitFor({ timeout: 15_000 });
    } finally {
      await context.close();
    }
  });

  it('opens an operation from a card typed by a keyboard-wedge scanner, then starts, pauses with a reason, resumes, reports good and scrap, and completes it: each in the log with the operator', async () => {
    const { api, open } = pda();
    const order = await planAndRelease(api, { workCenter: 'WC-WEDGE' });
    const payload = await cardPayload(api, order.orderId, '010');
    const { context, page } = await open({ operatorId: 'op-2', workCenters: ['WC-WEDGE'] });
    const types = async () => (await orderEvents(api, order.orderId)).map((e) => e.type);
    try {
      await page.goto('/work');
      await page.getByTestId('scan-field').focus();
      await page.keyboard.type(payload, { delay: 5 });
      await page.keyboard.press('Enter');
      await page.waitForURL(`**/op/${order.orderId}/010`);
      await page.getByTestId('action-start').tap();
      await waitFor(async () => (await types()).includes('OperationStarted'), 'OperationStarted');
      await page.getByTestId('op-status').filter({ hasText: '进行中' }).waitFor();

      await page.getByTestId('action-pause').tap();
      await page.getByRole('button', { name: '设备故障' }).tap();
      await waitFor(async () => (await types()).includes('OperationPaused'), 'OperationPaused');
      await page.getByTestId('op-status').filter({ hasText: '已暂停' }).waitFor();
      await page.getByTestId('action-resume').tap();
      await waitFor(async () => (await types()).includes('OperationResumed'), 'OperationResumed');

      await page.getByTestId('action-report').tap();
      await page.getByTestId('report-good').locator('input').fill('15');
      await page.getByTestId('report-scrap').locator('input').fill('2');
      await page.getByTestId('scrap-reason-dimension').tap();
      await page.getByTestId('report-submit').tap();
      await waitFor(async () => (await types()).includes('OperationQuantityReported'), 'OperationQuantityReported');
      await page.getByTestId('op-counts').filter({ hasText: '15 / 2 / 0' }).waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, 'pda-operation.png') });

      await page.getByTestId('action-complete').tap();
      await page.getByRole('button', { name: '完工' }).last().tap();
      await waitFor(async () => (await types()).includes('OperationCompleted'), 'OperationCompleted');
      await page.getByText('这道工序已完工').waitFor();

      const events = await orderEvents(api, order.orderId);
      const of = (type: string) => events.filter((e) => e.type === type);
      expect(of('OperationStarted').map((e) => e.data['operatorId'])).to.deep.equal(['op-2']);
      expect(of('OperationPaused').map((e) => e.data['reason'])).to.deep.equal(['breakdown']);
      expect(
        of('OperationQuantityReported').map((e) => [e.data['good'], e.data['scrap'], e.data['scrapReason']]),
      ).to.deep.equal([[15, 2, 'dimension']]);
      expect(of('OperationCompleted')).to.have.length(1);
      // every step came from the PDA, by the operator logged in on it
      for (const e of events.filter((x) => x.type.startsWith('Operation') && x.type !== 'OperationReady'))
        expect([e.metadata['source'], e.metadata['actor']], e.type).to.deep.equal(['pda', 'op-2']);
      const labour = await api.get(`/api/labour/orders/${order.orderId}`, 'analyst');
      expect(JSON.stringify(labour.body)).to.include('op-2');
    } finally {
      await context.close();
    }
  });
});
