import { join } from 'node:path';
import { expect } from 'chai';
import { waitFor } from '../support/waitFor';
import { pda, SCREENSHOTS } from './fixture';
import { orderEvents } from './seed';

describe('PDA: a card scanned with the camera (Chromium’s fake camera playing a QR video)', function () {
  this.timeout(120_000);

  it('decodes the card from the camera, opens its operation and starts it', async () => {
    const { api, open, cameraOrder } = pda();
    const { context, page } = await open({ operatorId: 'op-4', workCenters: [cameraOrder.workCenter] });
    try {
      await page.goto('/work');
      await page.getByTestId('camera').tap();
      await page.getByTestId('camera-video').waitFor();
      await page.waitForURL(`**/op/${cameraOrder.orderId}/010`, { timeout: 30_000 });
      await page.getByTestId('action-start').tap();
      await waitFor(
        async () => (await orderEvents(api, cameraOrder.orderId)).find((e) => e.type === 'OperationStarted'),
        'OperationStarted',
      );
      const started = (await orderEvents(api, cameraOrder.orderId)).find((e) => e.type === 'OperationStarted');
      expect(started?.data['operatorId']).to.equal('op-4');
      await page.screenshot({ path: join(SCREENSHOTS, 'pda-camera-started.png') });
    } finally {
      await context.close();
    }
  });
});
