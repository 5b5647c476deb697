import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pda } from './fixture';
import { office, OFFICE_LOGINS, VIEWPORTS } from './office';

describe('Office: login and menus by role', function () {
  this.timeout(120_000);
  before(async function () {
    this.timeout(600_000);
    await office();
  });

  it('logs a planner in with login and password and shows the menus a planner may use, in Chinese', async () => {
    const { backbone, dataDir } = await office();
    const password = readFileSync(join(dataDir, 'demo-credentials.txt'), 'utf8')
      .split('\n')
      .find((line) => line.startsWith(`${OFFICE_LOGINS.planner}\t`))
      ?.split('\t')[1] as string;
    const context = await pda().browser.newContext({
      baseURL: backbone.baseUrl,
      viewport: VIEWPORTS.phone,
      locale: 'zh-CN',
      isMobile: true,
      hasTouch: true,
    });
    try {
      const page = await context.newPage();
      await page.goto('/office/planner');
      await page.waitForURL(/\/office\/login/);
      await page.getByTestId('office-login').locator('input').fill(OFFICE_LOGINS.planner);
      await page.getByTestId('office-password').locator('input').fill('wrong-password-1');
      await page.getByTestId('office-submit').click();
      await page.getByTestId('office-login-error').waitFor();
      await page.getByTestId('office-password').locator('input').fill(password);
      await page.getByTestId('office-submit').click();
      // back where the planner was going
      await page.waitForURL(/\/office\/planner$/);
      const menu = page.getByTestId('office-menu');
      await menu.getByTestId('menu-planner').waitFor();
      expect(await menu.getByTestId('menu-dashboard').textContent()).to.contain('看板');
      expect(await menu.getByTestId('menu-quality').count()).to.equal(0);
      expect(await menu.getByTestId('menu-auditor').count()).to.equal(0);
      await page.getByTestId('office-logout').click();
      await page.waitForURL(/\/office\/login/);
      await page.goto('/office/planner');
      await page.waitForURL(/\/office\/login/);
    } finally {
      await context.close();
    }
  });

  it('shows an analyst no planner menu and turns them away from the planner’s screen', async () => {
    const { open } = await office();
    const { context, page } = await open({ role: 'analyst', size: 'desktop' });
    try {
      await page.goto('/office/planner');
      await page.waitForURL(/\/office\/dashboard\?forbidden=planner/);
      const menu = page.getByTestId('office-menu');
      await menu.getByTestId('menu-dashboard').waitFor();
      expect(await menu.getByTestId('menu-planner').count()).to.equal(0);
    } finally {
      await context.close();
    }
  });
});
