import { natsOptionsFromUrl } from '../../src/main/natsConnection';
import { expect } from 'chai';
import { connect, headers, StringCodec, type NatsConnection } from 'nats';
import { INBOUND_DEAD_LETTERS, INBOUND_SUBJECTS } from '../../src/adapters/integration/inbound';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import type { CommandContext } from '../../src/app/commandHandler';
import { createLogger } from '../../src/lib/logger';
import { startBackbone, type Backbone } from '../../src/main/backbone';
import { loadConfig } from '../../src/main/config';
import { client, makeKeys } from '../support/apiClient';
import { MOTOR, ok, seedMotorPlant } from '../support/masterPlant';
import { startNatsServer, type NatsServer } from '../support/natsServer';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';

const sc = StringCodec();
const DUE = '2026-12-05T17:00:00+08:00';
type Problem = { status: number; rule?: string; errors?: { path: string }[]; detail?: string };
type Link = { from: string; to: string; kind: string; quantity: number; unit: string };
type Trace = {
  lots: Record<string, unknown>[];
  links: Link[];
  customers?: { customer: string; lotId: string; shipmentId: string; quantity: number }[];
};

/**
 * The lot findings of issue 15, through the composed backbone (HTTP and NATS): issues and produced
 * lots checked against their order, overrides recorded, genealogy without repeats or storage fields,
 * shipments by the API and by the WMS reaching the forward trace and EPCIS.
 */
describe('lot integrity: issues, produced lots, genealogy and shipments (HTTP and NATS, SQLite)', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-lots-');
  const clock = { now: new Date('2026-11-25T00:00:00Z') };
  let nats: NatsServer;
  let nc: NatsConnection;
  let backbone: Backbone;
  let api: ReturnType<typeof client>;
  let n = 0;
  const refusal = async (call: Promise<{ status: number; body: unknown }>) => {
    const { status, body } = await call;
    return { ...(body as Problem), status };
  };
  const issue = (lotId: string, body: Record<string, unknown>, as: 'operator' | 'quality' | 'planner' = 'operator') =>
    api.post(`/api/lots/${lotId}/issue`, body, as);
  /** An operation command as the shop floor's scans would send it, through the backbone's (gated) handler. */
  const operation = (type: string, orderId: string, operationId: string, data: object = {}) => {
    const context: CommandContext = { commandId: `op-${(n += 1)}`, correlationId: 'lots', source: 'api' };
    const command = {
      type,
      data: { orderId, operationId, ...data },
      meta: { now: clock.now.toISOString(), actor: 'e1' },
    };
    return backbone.services.commands.handle('order', orderId, command as never, context);
  };
  const trace = async (lotId: string, direction: 'backward' | 'forward', until: (t: Trace) => boolean) =>
    waitFor(async () => {
      const answer = await api.get(`/api/genealogy/${lotId}/${direction}`, 'analyst');
      const body = answer.body as Trace;
      return answer.status === 200 && until(body) ? body : undefined;
    }, `the ${direction} trace of ${lotId}`);

  before(async () => {
    nats = await startNatsServer();
    const keys = makeKeys(temp.dir);
    const schemas = loadSchemaRegistry();
    const config = loadConfig(
      {
        DATA_DIR: temp.dir,
        PORT: '0',
        HOST: '127.0.0.1',
        API_KEYS_FILE: keys.file,
        LOG_LEVEL: 'error',
        NATS_URL: nats.url,
      },
      schemas,
    );
    backbone = await startBackbone(config, schemas, createLogger('error'), {
      clock: () => clock.now,
      overdueIntervalMs: 0,
    });
    api = client(`http://127.0.0.1:${backbone.port}`, keys.tokens);
    nc = await connect(natsOptionsFromUrl(nats.url));
    // the seed reads only the API of the plant it is given
    await seedMotorPlant({ api } as Parameters<typeof seedMotorPlant>[0]);
    // PO-L1: 10 motors by master data, 10 % overrun allowed (11 in all); PO-L2: one winding operation of its own
    await ok(
      api.post(
        '/api/orders',
        { orderId: 'PO-L1', product: MOTOR, quantity: 10, priority: 3, dueDate: DUE, overrunTolerance: 0.1 },
        'planner',
      ),
    );
    const winding = {
      operationId: '010',
      code: 'WIND',
      workCenter: 'WC-WIND',
      standardMinutesPerUnit: 6,
      setupMinutes: 20,
      inspectionRequired: false,
      materials: [{ material: 'CU-WIRE-1.2', quantityPerUnit: 2.5, unit: 'kg' }],
    };
    await ok(
      api.post(
        '/api/orders',
        {
          orderId: 'PO-L2',
          product: MOTOR,
          quantity: 10,
          priority: 3,
          dueDate: DUE,
          routing: { overlap: false, operations: [winding] },
        },
        'planner',
      ),
    );
    for (const orderId of ['PO-L1', 'PO-L2']) await ok(api.post(`/api/orders/${orderId}/release`, {}, 'planner'));
    for (const [lotId, material] of [
      ['L-CU', 'CU-WIRE-1.2'],
      ['L-STEEL', 'Q235-BAR'],
      ['L-CU-2', 'CU-WIRE-1.2'],
    ])
      await ok(
        api.post(
          '/api/lots',
          { lotId, material, quantity: 100, unit: 'kg', supplier: '江苏铜业', supplierLot: `S-${lotId}` },
          'planner',
        ),
      );
  });
  after(async () => {
    await nc?.close();
    await backbone?.close();
    await nats?.stop();
    temp.remove();
  });

  it('refuses an issue to an order or operation that does not exist (404 naming the field), to a completed order, of a material off the BOM', async () => {
    const phantomOrder = await refusal(issue('L-CU', { orderId: 'PO-NOPE', operationId: '010', quantity: 5 }));
    expect(phantomOrder).to.deep.include({ status: 404, rule: 'order-unknown', errors: [phantomOrder.errors?.[0]] });
    expect(phantomOrder.errors?.[0]?.path).to.equal('/orderId');
    const phantomOperation = await refusal(issue('L-CU', { orderId: 'PO-L1', operationId: '099', quantity: 5 }));
    expect([phantomOperation.status, phantomOperation.rule, phantomOperation.errors?.[0]?.path]).to.deep.equal([
      404,
      'operation-unknown',
      '/operationId',
    ]);
    // assembly (020) waits for winding: pending
    const pending = await refusal(issue('L-CU', { orderId: 'PO-L1', operationId: '020', quantity: 5 }));
    expect([pending.status, pending.rule]).to.deep.equal([409, 'operation-pending']);
    const wrong = await refusal(issue('L-STEEL', { orderId: 'PO-L1', operationId: '010', quantity: 5 }));
    expect([wrong.status, wrong.rule, wrong.detail]).to.deep.equal([
      409,
      'material-not-on-bom',
      '批次 L-STEEL 的物料 Q235-BAR 不在订单 PO-L1 工序 010 的物料清单上',
    ]);

    // PO-L2 runs its operation through and completes
    await operation('StartOperation', 'PO-L2', '010');
    await operation('ReportQuantity', 'PO-L2', '010', { good: 10, scrap: 0, rework: 0 });
    await operation('CompleteOperation', 'PO-L2', '010');
    expect((await backbone.services.commands.load('order', 'PO-L2')).state.status).to.equal('Completed');
    const completed = await refusal(issue('L-CU', { orderId: 'PO-L2', operationId: '010', quantity: 5 }));
    expect([completed.status, completed.rule]).to.deep.equal([409, 'order-not-released']);
    expect(await backbone.store.readStream('lot-L-CU')).to.have.length(1); // only its receipt
  });

  it('lets quality or a planner override with a reason, recorded in the event; an operator may not override', async () => {
    const body = {
      orderId: 'PO-L1',
      operationId: '010',
      quantity: 5,
      override: { reason: '工艺变更单 ECN-12：Q235 代用' },
    };
    const byOperator = await refusal(issue('L-STEEL', body, 'operator'));
    expect([byOperator.status, byOperator.rule]).to.deep.equal([403, 'override-not-allowed']);
    await ok(issue('L-STEEL', body, 'quality'));
    const [, issued] = await backbone.store.readStream('lot-L-STEEL');
    expect(issued?.data).to.deep.include({
      orderId: 'PO-L1',
      override: { by: 'quality-1', reason: '工艺变更单 ECN-12：Q235 代用', rules: ['material-not-on-bom'] },
    });
    expect(issued?.metadata.actor).to.equal('quality-1');
    // an override never makes an order or operation exist
    const phantom = await refusal(issue('L-STEEL', { ...body, orderId: 'PO-NOPE' }, 'planner'));
    expect([phantom.status, phantom.rule]).to.deep.equal([404, 'order-unknown']);
  });

  it('refuses a produced lot of an unknown order, of another material, and past quantity plus tolerance (10 ordered, 500 made)', async () => {
    const fg = (lotId: string, quantity: number, extra: object = {}) =>
      api.post(
        '/api/lots/produced',
        { lotId, material: MOTOR, orderId: 'PO-L1', quantity, unit: '台', ...extra },
        'operator',
      );
    const phantom = await refusal(fg('FG-X', 5, { orderId: 'PO-NOPE' }));
    expect([phantom.status, phantom.rule, phantom.errors?.[0]?.path]).to.deep.equal([404, 'order-unknown', '/orderId']);
    const other = await refusal(fg('FG-X', 5, { material: 'CU-WIRE-1.2' }));
    expect([other.status, other.rule, other.errors?.[0]?.path]).to.deep.equal([
      409,
      'material-not-order-product',
      '/material',
    ]);
    const huge = await refusal(fg('FG-X', 500));
    expect([huge.status, huge.rule, huge.errors?.[0]?.path]).to.deep.equal([
      409,
      'quantity-exceeds-order',
      '/quantity',
    ]);
    // 10 x 1.1 = 11 in all: 8, then 4 is one too many, then 3
    await ok(fg('FG-1', 8));
    expect((await refusal(fg('FG-2', 4))).rule).to.equal('quantity-exceeds-order');
    await ok(fg('FG-2', 3));
    expect((await refusal(fg('FG-3', 1))).rule).to.equal('quantity-exceeds-order');
    expect(await backbone.store.readStream('lot-FG-X')).to.deep.equal([]);
    // two lots of PO-L2 (10 made, no tolerance) at once: 6 + 6 is two too many, so one of them is refused
    const both = await Promise.all(
      ['FG-L2-A', 'FG-L2-B'].map((lotId) => fg(lotId, 6, { orderId: 'PO-L2' }).then((r) => r.status)),
    );
    expect([...both].sort()).to.deep.equal([201, 409]);
  });

  it('answers genealogy with each link once, each lot’s status, and no storage fields', async () => {
    // copper issued twice to winding: one link carrying 25 + 15 = 40 kg
    await ok(issue('L-CU', { orderId: 'PO-L1', operationId: '010', quantity: 25 }));
    await ok(issue('L-CU', { orderId: 'PO-L1', operationId: '010', quantity: 15 }));
    await ok(api.post('/api/lots/L-CU-2/quarantine', { reason: '来料检验不合格' }, 'quality'));
    const back = await trace('FG-1', 'backward', (t) =>
      t.links.some((l) => l.from === 'lot:L-CU' && l.quantity === 40),
    );
    expect(back.links).to.deep.equal([
      { from: 'order:PO-L1', to: 'lot:FG-1', kind: 'produced', quantity: 8, unit: '台' },
      { from: 'lot:L-STEEL', to: 'order:PO-L1', kind: 'issued', quantity: 5, unit: 'kg' },
      { from: 'lot:L-CU', to: 'order:PO-L1', kind: 'issued', quantity: 40, unit: 'kg' },
    ]);
    expect(back.lots.map((l) => [l['lotId'], l['status'], l['onHand']])).to.deep.equal([
      ['FG-1', 'produced', 8],
      ['L-STEEL', 'received', 95],
      ['L-CU', 'received', 60],
    ]);
    for (const lot of back.lots) expect(Object.keys(lot).filter((k) => k.startsWith('_'))).to.deep.equal([]);
    const quarantined = await trace('L-CU-2', 'forward', (t) => t.lots[0]?.['status'] === 'quarantined');
    expect(quarantined.lots[0]).to.deep.include({ lotId: 'L-CU-2', status: 'quarantined', reason: '来料检验不合格' });
    await ok(api.post('/api/lots/L-CU-2/release', { reason: '复检合格' }, 'quality'));
    const released = await trace('L-CU-2', 'forward', (t) => t.lots[0]?.['status'] !== 'quarantined');
    expect(released.lots[0]).to.deep.include({ status: 'released', onHand: 100 });
    expect(released.lots[0]).not.to.have.property('reason');
  });

  it('ships finished goods by the API and by a WMS message (NATS and HTTP), so a forward trace reaches the customers, and EPCIS says shipping', async () => {
    await ok(api.post('/api/lots/FG-1/ship', { shipmentId: 'DN-1', customer: '重庆长安汽车', quantity: 5 }, 'planner'));
    const again = await ok(
      api.post('/api/lots/FG-1/ship', { shipmentId: 'DN-1', customer: '重庆长安汽车', quantity: 5 }, 'planner'),
    );
    expect(again['events']).to.deep.equal([]);
    const bought = await refusal(
      api.post('/api/lots/L-CU/ship', { shipmentId: 'DN-9', customer: 'X', quantity: 1 }, 'planner'),
    );
    expect([bought.status, bought.rule]).to.deep.equal([409, 'lot-not-produced']);

    // the WMS over NATS: FG-1's other 3 units ship; a bought lot's line is dead-lettered with its element path
    const h = headers();
    h.set('Nats-Msg-Id', 'ship-dn-2');
    const message = {
      shipmentId: 'DN-2',
      customer: '上汽通用五菱',
      lines: [
        { lotId: 'FG-1', quantity: 3, unit: '台' },
        { lotId: 'L-CU', quantity: 1 },
      ],
    };
    await nc.jetstream().publish(INBOUND_SUBJECTS.shipment, sc.encode(JSON.stringify(message)), { headers: h });
    const reason = await waitFor(async () => {
      const jsm = await nc.jetstreamManager();
      const info = await jsm.streams.info(INBOUND_DEAD_LETTERS).catch(() => undefined);
      if (!info || info.state.messages === 0) return undefined;
      return (await jsm.streams.getMessage(INBOUND_DEAD_LETTERS, { seq: 1 })).header.get('Mes-Reason');
    }, 'the dead letter of the bought lot’s line');
    expect(reason).to.match(/^\/lines\/1: lot L-CU was bought/);
    // the WMS over HTTP: FG-2 (3 units) to a third customer
    const wms = await ok(
      api.post(
        '/api/wms/shipments',
        { shipmentId: 'DN-3', customer: '比亚迪', lines: [{ lotId: 'FG-2', quantity: 3 }] },
        'integrator',
      ),
    );
    expect(wms['results']).to.deep.equal([{ lotId: 'FG-2', element: '/lines/0', outcome: 'shipped', revision: 1 }]);

    const forward = await trace('L-CU', 'forward', (t) => (t.customers ?? []).length === 3);
    expect(forward.customers?.map((c) => [c.customer, c.lotId, c.shipmentId, c.quantity])).to.deep.equal([
      ['重庆长安汽车', 'FG-1', 'DN-1', 5],
      ['上汽通用五菱', 'FG-1', 'DN-2', 3],
      ['比亚迪', 'FG-2', 'DN-3', 3],
    ]);
    expect(forward.links).to.deep.include({
      from: 'lot:FG-1',
      to: 'customer:重庆长安汽车',
      kind: 'shipped',
      quantity: 5,
      unit: '台',
    });
    expect(forward.lots.find((l) => l['lotId'] === 'FG-1')).to.deep.include({ status: 'shipped', onHand: 0 });

    const epcis = await api.get('/api/orders/PO-L1/epcis', 'auditor');
    const events = (epcis.body as { epcisBody: { eventList: Record<string, unknown>[] } }).epcisBody.eventList;
    const shipping = events.filter((e) => e['bizStep'] === 'shipping');
    // in event-time order; the NATS import stamps the wall clock, the API the test's clock
    expect(shipping.map((e) => e['destinationList'])).to.have.deep.members([
      [{ type: 'owning_party', destination: `urn:mes-backbone:customer:${encodeURIComponent('重庆长安汽车')}` }],
      [{ type: 'owning_party', destination: `urn:mes-backbone:customer:${encodeURIComponent('上汽通用五菱')}` }],
      [{ type: 'owning_party', destination: `urn:mes-backbone:customer:${encodeURIComponent('比亚迪')}` }],
    ]);
    expect(shipping[0]).to.deep.include({ type: 'ObjectEvent', action: 'OBSERVE', disposition: 'in_transit' });
    const transformation = events.find((e) => e['type'] === 'TransformationEvent');
    // copper once (25 + 15 kg), steel once; 8 + 3 motors out, never more than the order allows
    expect(transformation?.['inputQuantityList']).to.deep.equal([
      { epcClass: 'urn:mes-backbone:lot:L-STEEL', quantity: 5, uom: 'KGM' },
      { epcClass: 'urn:mes-backbone:lot:L-CU', quantity: 40, uom: 'KGM' },
    ]);
    expect(transformation?.['outputQuantityList']).to.deep.equal([
      { epcClass: 'urn:mes-backbone:lot:FG-1', quantity: 8 },
      { epcClass: 'urn:mes-backbone:lot:FG-2', quantity: 3 },
    ]);
  });
});
