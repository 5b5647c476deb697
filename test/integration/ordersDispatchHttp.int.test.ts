import { expect } from 'chai';
import { ok, startMasterPlant, type MasterPlant } from '../support/masterPlant';
import { waitFor } from '../support/waitFor';

type Entry = { orderId: string; criticalRatio: number | null; remainingMinutes: number };

/** The dispatch rule and the due-date sort as a planner and a PDA read them over HTTP. */
describe('dispatch rules and the due-date sort over HTTP (SQLite)', function () {
  this.timeout(60_000);
  let plant: MasterPlant;

  before(async () => {
    plant = await startMasterPlant('2026-11-25T06:00:00Z');
  });
  after(async () => plant.stop());

  it('orders a work center’s queue by the rule of its master record, and sorts orders by due instant', async () => {
    const { api } = plant;
    await ok(api.post('/api/master/sites', { code: 'S1', names: { en: 'Site 1' } }));
    const wc = { names: { 'zh-CN': '车削', en: 'Turning' }, site: 'S1', machines: [] };
    await ok(api.post('/api/master/work-centers', { code: 'WC-T', ...wc, dispatchRule: 'critical-ratio' }));
    const bad = await api.post('/api/master/work-centers', { code: 'WC-U', ...wc, dispatchRule: 'fifo' });
    expect(bad.status, 'an unknown rule is refused').to.equal(400);

    // at 08:00Z, 10 units each; critical ratio = minutes to due / remaining standard minutes
    // PO-P (priority 1): due 10:00-10:00 = 20:00Z, 720 min away; 20 + 10 x 34 = 360 min of work → 2
    // PO-Q (priority 5): due 15:00+08:00 = 07:00Z, 60 min past; 20 + 10 x 10 = 120 min of work → -0.5
    const orders = [
      { orderId: 'PO-P', priority: 1, dueDate: '2026-11-25T10:00:00-10:00', setupMinutes: 20, standard: 34 },
      { orderId: 'PO-Q', priority: 5, dueDate: '2026-11-25T15:00:00+08:00', setupMinutes: 20, standard: 10 },
    ];
    for (const o of orders) {
      const routing = {
        overlap: false,
        operations: [
          {
            operationId: '010',
            code: 'TURN',
            workCenter: 'WC-T',
            standardMinutesPerUnit: o.standard,
            setupMinutes: o.setupMinutes,
            inspectionRequired: false,
            materials: [],
          },
        ],
      };
      const body = { orderId: o.orderId, product: 'SHAFT', quantity: 10, priority: o.priority, dueDate: o.dueDate };
      await ok(api.post('/api/orders', { ...body, unit: 'pcs', routing }, 'planner'));
      await ok(api.post(`/api/orders/${o.orderId}/release`, {}, 'planner'));
    }
    plant.at('2026-11-25T08:00:00Z');
    await plant.backbone.services.settle();
    await plant.backbone.readModels.idle();
    const queue = await waitFor(async () => {
      const { body } = await api.get('/api/dispatch/WC-T', 'planner');
      return Array.isArray(body) && body.length === 2 ? (body as Entry[]) : undefined;
    }, 'two queued operations');
    expect(queue.map((e) => [e.orderId, e.criticalRatio, e.remainingMinutes])).to.deep.equal([
      ['PO-Q', -0.5, 120],
      ['PO-P', 2, 360],
    ]);
    const center = (await api.get('/api/wip/work-centers/WC-T', 'planner')).body as Record<string, unknown>;
    expect(center['dispatchRule']).to.equal('critical-ratio');

    // by due instant: PO-Q (07:00Z) before PO-P (20:00Z); as strings ('…T15…' after '…T10…'), the reverse
    const sorted = (await api.get('/api/wip/orders?sort=dueDate', 'planner')).body as {
      items: Array<{ orderId: string }>;
    };
    expect(sorted.items.map((o) => o.orderId)).to.deep.equal(['PO-Q', 'PO-P']);
    const reversed = (await api.get('/api/wip/orders?sort=-dueDate', 'planner')).body as {
      items: Array<{ orderId: string }>;
    };
    expect(reversed.items.map((o) => o.orderId)).to.deep.equal(['PO-P', 'PO-Q']);
    // an order's answer, alone or in a page, has the order's fields and none of the read store's
    const one = (await api.get('/api/wip/orders/PO-Q', 'planner')).body as Record<string, unknown>;
    for (const order of [one, ...sorted.items]) {
      expect(order).to.include.keys('orderId', 'dueAt', 'late');
      expect(order).to.not.have.any.keys('_id', '_pos');
    }
  });
});
