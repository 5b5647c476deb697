import { expect } from 'chai';
import { BUDGET_BYTES, checkBudget } from '../../scripts/webBudget';
import { WEB_DIST } from '../support/webBuild';
import { pda } from './fixture';
import { planAndRelease } from './seed';

describe('PDA: made for the device (budget and load time)', function () {
  this.timeout(120_000);

  it('keeps every PDA route’s initial JavaScript within 250 KB gzipped (the check the build runs)', () => {
    const { routes, over, report } = checkBudget(WEB_DIST);
    console.log(report);
    // the work list comes with index.html: the screen the app opens on
    expect(routes.map((r) => r.route)).to.include.members([
      'index.html',
      'src/pda/LoginPage.vue',
      'src/pda/OperationPage.vue',
    ]);
    expect(over).to.deep.equal([]);
    expect(Math.max(...routes.map((r) => r.gzipBytes))).to.be.at.most(BUDGET_BYTES);
  });

  it('shows my work, ready for a scan, in under 2 s from a cold start with the CPU throttled 4×', async () => {
    const { api, open } = pda();
    const order = await planAndRelease(api, { workCenter: 'WC-LOAD' });
    const { context, page } = await open({ operatorId: 'op-8', workCenters: ['WC-LOAD'] });
    try {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      const started = Date.now();
      await page.goto('/work');
      await page.getByTestId('work-item').filter({ hasText: order.orderId }).waitFor();
      await page.getByTestId('scan-field').focus();
      const elapsed = Date.now() - started;
      console.log(`      first screen interactive in ${elapsed} ms (CPU ×4, cold cache)`);
      expect(elapsed).to.be.below(2000);
    } finally {
      await context.close();
    }
  });
});
