import { expect } from 'chai';
import { join } from 'node:path';
import { waitFor } from '../support/waitFor';
import { SCREENSHOTS } from './fixture';
import { office, type OfficeRole, type Size } from './office';

/**
 * The screens the area tests show at one size only, at the other: each opens with its content, and
 * its screenshot is saved (the README shows every office screen from the latest run).
 */
describe('Office: every screen at both sizes', function () {
  this.timeout(180_000);
  before(async function () {
    this.timeout(600_000);
    await office();
  });

  const show = async (role: OfficeRole, size: Size, path: string, ready: string, name: string) => {
    const { open } = await office();
    const { context, page } = await open({ role, size });
    try {
      await page.goto(path);
      await page.getByTestId(ready).first().waitFor({ timeout: 60_000 });
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: size === 'phone' });
      return await page.getByTestId(ready).first().textContent();
    } finally {
      await context.close();
    }
  };

  it('shows a machine’s day, a lot’s genealogy, verification and the schedule upload on a phone', async () => {
    const plant = await office();
    const dashboard = (await plant.api.get('/api/dashboard', 'analyst')).body as { choices: { machines: string[] } };
    const machineId = dashboard.choices.machines[0] as string;
    expect(
      await show(
        'maintenance',
        'phone',
        `/office/maintenance/machines/${machineId}`,
        'machine-page',
        'office-machine-phone',
      ),
    ).to.contain(machineId);
    const completed = (await plant.api.get('/api/wip/orders?status=Completed&limit=50', 'auditor')).body as {
      items: Array<{ orderId: string }>;
    };
    let lotId: string | undefined;
    for (const { orderId } of completed.items) {
      const walked = await plant.api.get(`/api/genealogy/${orderId}-FG/backward`, 'auditor');
      if (walked.status === 200 && (walked.body as { links: unknown[] }).links.length > 1) {
        lotId = `${orderId}-FG`;
        break;
      }
    }
    expect(lotId, 'a finished-goods lot with its bar steel traced').to.be.a('string');
    const { open } = plant;
    const { context, page } = await open({ role: 'auditor', size: 'phone' });
    try {
      await page.goto(`/office/audit/streams/lot-${lotId as string}`);
      const nodes = page.getByTestId('audit-genealogy-node');
      await waitFor(async () => (await nodes.count()) >= 2, 'the genealogy nodes', 60_000);
      await page.getByTestId('audit-genealogy').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SCREENSHOTS, 'office-audit-genealogy-phone.png') });
    } finally {
      await context.close();
    }
    await show('auditor', 'phone', '/office/audit/verify', 'audit-verify', 'office-audit-verify-phone');
    await show('planner', 'phone', '/office/planner/schedules', 'planner-schedules', 'office-planner-schedules-phone');
  });

  it('shows the recording of an inspection’s results on a desktop, with each characteristic’s limits', async () => {
    const plant = await office();
    const quality = await plant.as('quality');
    const inspectionId = `SCREEN-${Date.now().toString(36)}`;
    const requested = await quality.call('POST', '/api/inspections', {
      inspectionId,
      lotId: 'LOT-SCREEN-1',
      product: 'SHAFT-20',
      characteristics: [
        { name: 'diameter', kind: 'measured', lower: 19.95, upper: 20.05, unit: 'mm' },
        { name: 'visual', kind: 'attribute' },
      ],
    });
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    const text = await show(
      'quality',
      'desktop',
      `/office/quality/inspections/${inspectionId}`,
      'quality-record',
      'office-quality-record-desktop',
    );
    expect(text).to.contain('19.95').and.to.contain('20.05');
  });
});
