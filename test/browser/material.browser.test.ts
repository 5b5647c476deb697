import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { waitFor } from '../support/waitFor';
import { pda, SCREENSHOTS } from './fixture';
import { cardPayload, planAndRelease, receiveLot } from './seed';

const scan = async (page: Page, text: string): Promise<void> => {
  await page.getByTestId('scan-field').focus();
  await page.keyboard.type(text, { delay: 2 });
  await page.keyboard.press('Enter');
};

describe('PDA: material in, scanned while the operation runs (Chromium)', function () {
  this.timeout(120_000);

  it('issues a scanned lot with the quantity the bill of materials proposes, and refuses a wrong material, a quarantined lot and too little on hand, in Chinese', async () => {
    const { api, open } = pda();
    const order = await planAndRelease(api, { workCenter: 'WC-MAT' });
    const tag = randomBytes(2).toString('hex').toUpperCase();
    const [steel, copper, held] = [`L-STEEL-${tag}`, `L-CU-${tag}`, `L-HELD-${tag}`];
    await receiveLot(api, steel, 'BAR-STEEL', 30);
    await receiveLot(api, copper, 'CU-WIRE', 50);
    await receiveLot(api, held, 'BAR-STEEL', 100);
    expect(
      (await api.post(`/api/lots/${held}/quarantine`, { reason: 'hardness out of spec' }, 'quality')).status,
    ).to.equal(200);
    const { context, page } = await open({ operatorId: 'op-3', workCenters: ['WC-MAT'] });
    const lotEvents = async (lotId: string) =>
      ((await api.get(`/api/streams/lot-${lotId}/events`, 'auditor')).body as Array<{
        type: string;
        data: Record<string, unknown>;
      }>) ?? [];
    try {
      await page.goto('/work');
      // a lot label before any operation runs: the operator is told what to scan first
      await scan(page, steel);
      await page.getByText('请先扫描进行中工序的工序卡').waitFor();
      await scan(page, await cardPayload(api, order.orderId, '010'));
      await page.getByTestId('action-start').tap();
      await page.getByTestId('op-status').filter({ hasText: '进行中' }).waitFor();

      await scan(page, steel);
      const sheet = page.getByTestId('material-sheet');
      await sheet.getByTestId('lot-material').filter({ hasText: 'BAR-STEEL' }).waitFor();
      // 0.8 kg per unit, 20 units to make
      expect(await sheet.getByTestId('issue-quantity').locator('input').inputValue()).to.equal('16');
      await sheet.getByTestId('issue-quantity').locator('input').fill('12.5');
      await sheet.getByTestId('issue-submit').tap();
      await waitFor(async () => (await lotEvents(steel)).find((e) => e.type === 'LotIssued'), 'LotIssued');
      const issued = (await lotEvents(steel)).find((e) => e.type === 'LotIssued');
      expect(issued?.data).to.deep.include({
        orderId: order.orderId,
        operationId: '010',
        quantity: 12.5,
        material: 'BAR-STEEL',
      });
      await sheet.waitFor({ state: 'hidden' });

      await scan(page, copper);
      const wrong = page.getByTestId('material-refusal');
      await wrong.filter({ hasText: '这个批次的物料不是本工序要用的物料' }).waitFor();
      expect(await page.getByTestId('issue-submit').isDisabled()).to.equal(true);
      await page.screenshot({ path: join(SCREENSHOTS, 'pda-material-refused.png') });
      // the backbone refuses it whoever sends it, by the same rule
      const direct = await api.post(
        `/api/lots/${copper}/issue`,
        { orderId: order.orderId, operationId: '010', quantity: 1 },
        'operator',
      );
      expect([direct.status, (direct.body as { rule?: string }).rule]).to.deep.equal([409, 'material-not-on-bom']);
      await page.locator('.van-popup__close-icon').last().tap();

      // a lot nobody received: the 404 in words
      await scan(page, `L-NONE-${tag}`);
      await page.getByTestId('material-refusal').filter({ hasText: '找不到这个批次' }).waitFor();
      await page.locator('.van-popup__close-icon').last().tap();

      await scan(page, held);
      await page.getByTestId('material-refusal').filter({ hasText: '这个批次已被隔离，不能投料' }).waitFor();
      await page.locator('.van-popup__close-icon').last().tap();

      // 17.5 kg left: the 16 proposed is too much until the operator lowers it
      await scan(page, steel);
      await page.getByTestId('lot-material').filter({ hasText: 'BAR-STEEL' }).waitFor();
      await page.getByTestId('issue-quantity').locator('input').fill('20');
      await page.getByTestId('material-refusal').filter({ hasText: '这个批次的库存不够' }).waitFor();
      await page.getByTestId('issue-quantity').locator('input').fill('3.5');
      await page.screenshot({ path: join(SCREENSHOTS, 'pda-material.png') });
      await page.getByTestId('issue-submit').tap();
      await waitFor(
        async () => (await lotEvents(steel)).filter((e) => e.type === 'LotIssued').length === 2,
        'second LotIssued',
      );
      expect((await lotEvents(copper)).map((e) => e.type)).to.deep.equal(['LotReceived']);
      expect((await lotEvents(held)).map((e) => e.type)).to.deep.equal(['LotReceived', 'LotQuarantined']);
    } finally {
      await context.close();
    }
  });
});
