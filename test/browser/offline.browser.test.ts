import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { waitFor } from '../support/waitFor';
import { asOperator, shopFloor } from '../support/people';
import { pda, SCREENSHOTS } from './fixture';
import { cardPayload, orderEvents, planAndRelease } from './seed';

const startOperation = async (page: Page, payload: string): Promise<void> => {
  await page.goto('/work');
  await page.getByTestId('scan-field').focus();
  await page.keyboard.type(payload, { delay: 2 });
  await page.keyboard.press('Enter');
  await page.getByTestId('action-start').tap();
  await page.getByTestId('op-status').filter({ hasText: '进行中' }).waitFor();
};
const report = async (page: Page, good: number): Promise<void> => {
  await page.getByTestId('action-report').tap();
  await page.getByTestId('report-good').locator('input').fill(String(good));
  await page.getByTestId('report-submit').tap();
};

describe('PDA: offline and back (Chromium, the browser context set offline)', function () {
  this.timeout(120_000);

  it('keeps a report made offline (through a reload, from the app shell the service worker cached), sends it once back online, and counts what waits', async () => {
    const { api, open } = pda();
    const order = await planAndRelease(api, { workCenter: 'WC-OFF' });
    const reports = async () =>
      (await orderEvents(api, order.orderId)).filter((e) => e.type === 'OperationQuantityReported');
    const { context, page } = await open({ operatorId: 'op-5', workCenters: ['WC-OFF'] });
    try {
      await startOperation(page, await cardPayload(api, order.orderId, '010'));
      // the app shell is cached once the service worker controls the page
      await page.evaluate(async () => {
        const sw = (globalThis as unknown as { navigator: { serviceWorker: { ready: Promise<unknown> } } }).navigator;
        await sw.serviceWorker.ready;
      });
      await context.setOffline(true);
      await page.getByTestId('network').filter({ hasText: '离线' }).waitFor();
      await report(page, 5);
      await page.getByText('已保存，联网后自动发送', { exact: true }).waitFor();
      const banner = page.getByTestId('pending');
      await banner.filter({ hasText: '离线：1 条记录已保存' }).waitFor();
      await page.getByTestId('op-counts').filter({ hasText: '5 / 0 / 0' }).waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, 'pda-offline.png') });
      await page.reload();
      await banner.filter({ hasText: '离线：1 条记录已保存' }).waitFor();
      expect(await reports()).to.have.length(0);

      await context.setOffline(false);
      await banner.waitFor({ state: 'detached', timeout: 20_000 });
      const sent = await waitFor(async () => ((await reports()).length > 0 ? reports() : undefined), 'the report');
      expect(sent.map((e) => e.data['good'])).to.deep.equal([5]);
      // sent once: nothing more arrives after the queue emptied
      await page.getByTestId('network').filter({ hasText: '在线' }).waitFor();
      expect(
        await page.evaluate(() => (globalThis as unknown as { indexedDB: unknown }).indexedDB !== undefined),
      ).to.equal(true);
      expect(await reports()).to.have.length(1);
    } finally {
      await context.close();
    }
  });

  it('shows a report the backbone refuses on arrival (the operation was completed meanwhile) in words, and keeps it for review', async () => {
    const { api, open } = pda();
    const order = await planAndRelease(api, { workCenter: 'WC-OFF2' });
    const payload = await cardPayload(api, order.orderId, '010');
    const { context, page } = await open({ operatorId: 'op-6', workCenters: ['WC-OFF2'] });
    try {
      await startOperation(page, payload);
      await context.setOffline(true);
      await report(page, 4);
      await page.getByTestId('pending').filter({ hasText: '1 条' }).waitFor();
      // another PDA completes the operation while this one is offline
      const other = await shopFloor(api, 'PDA-OTHER', 'op-9', 'B-op-9');
      const completed = await asOperator(api, other, 'POST', '/api/scans', {
        scanId: randomUUID(),
        card: payload,
        action: 'complete',
      });
      expect(completed.status, completed.text).to.equal(200);
      await context.setOffline(false);
      const refused = page.getByTestId('refused');
      await refused.filter({ hasText: '1 条记录被拒绝' }).waitFor({ timeout: 20_000 });
      await page.getByTestId('pending').waitFor({ state: 'detached' });
      await refused.tap();
      await page.waitForURL('**/review');
      const entry = page.getByTestId('refused-entry');
      expect(await entry.innerText()).to.include(`报工：工单 ${order.orderId} 工序 010`);
      expect(await entry.getByTestId('refused-reason').innerText()).to.equal(
        '这道工序已经完工，不能再操作。请扫描下一道工序的工序卡。',
      );
      await page.screenshot({ path: join(SCREENSHOTS, 'pda-refused-review.png') });
      // kept across a reload until the operator has read it
      await page.reload();
      await entry.waitFor();
      await entry.getByRole('button', { name: '知道了' }).tap();
      await entry.waitFor({ state: 'detached' });
      const events = await orderEvents(api, order.orderId);
      expect(events.filter((e) => e.type === 'OperationQuantityReported')).to.have.length(0);
      expect(events.filter((e) => e.type === 'OperationCompleted')).to.have.length(1);
    } finally {
      await context.close();
    }
  });
});
