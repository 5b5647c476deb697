import { expect } from 'chai';
import { join } from 'node:path';
import { pda, SCREENSHOTS } from './fixture';
import { planAndRelease, receiveLot } from './seed';

// pages of a PDF as Chromium prints it, and the size of the first in millimetres
const pageCount = (pdf: Buffer): number => pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
const pageSize = (pdf: Buffer): number[] => {
  const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)/.exec(pdf.toString('latin1'));
  return box ? [box[1], box[2]].map((pt) => Math.round((Number(pt) / 72) * 25.4)) : [];
};

describe('labels: operation cards and lot labels to print (A4 and 60×40 mm)', function () {
  this.timeout(120_000);

  it('prints an order’s operation cards and lot labels with QR codes and Chinese names, one label per 60×40 mm page or several per A4 sheet', async () => {
    const { api, open } = pda();
    const order = await planAndRelease(api, { workCenter: 'WC-LABEL' });
    await receiveLot(api, `L-LABEL-${order.orderId}`, 'BAR-STEEL', 40);
    const { context, page } = await open({ operatorId: 'op-10' });
    try {
      await page.goto(`/labels?order=${order.orderId}&lots=L-LABEL-${order.orderId}&size=label`);
      const labels = page.getByTestId('label');
      await labels.nth(2).waitFor();
      const texts = await labels.allInnerTexts();
      expect(texts).to.have.length(3);
      expect(texts[0])
        .to.include('工序卡')
        .and.include(order.orderId)
        .and.include('上海电机厂')
        .and.include('010 TURN');
      expect(texts[1]).to.include('020 MILL').and.include('WC-LABEL-2');
      expect(texts[2]).to.include('批次标签').and.include('BAR-STEEL').and.include('40 kg').and.include('宝钢');
      expect(await labels.locator('svg path').count()).to.be.at.least(3);
      await page.screenshot({ path: join(SCREENSHOTS, 'labels-60x40.png'), fullPage: true });
      const labelPdf = await page.pdf({ preferCSSPageSize: true });
      expect([pageCount(labelPdf), ...pageSize(labelPdf)]).to.deep.equal([3, 60, 40]);
      await page.getByRole('radio', { name: 'A4 纸' }).tap();
      const a4 = await page.pdf({ preferCSSPageSize: true });
      expect([pageCount(a4), ...pageSize(a4)]).to.deep.equal([1, 210, 297]);
    } finally {
      await context.close();
    }
  });
});
