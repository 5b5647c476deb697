import { expect } from 'chai';
import { asOperator, shopFloor, type ShopFloor } from '../support/people';
import { XMLParser } from 'fast-xml-parser';
import { translate, type OrderMemory } from '../../src/adapters/integration/outboundMessages';
import { toCloudEvent } from '../../src/adapters/publish/cloudEvents';
import { asDomainEvent, type RecordedEvent } from '../../src/app/eventStore';
import type { MasterVersions, Routing } from '../../src/domain/order';
import {
  MOTOR,
  MOTOR_NAMES,
  assemblyStep,
  ok,
  seedMotorPlant,
  startMasterPlant,
  type MasterPlant,
} from '../support/masterPlant';

const DUE = '2026-12-05T17:00:00+08:00';
const order = (orderId: string) => ({ orderId, product: MOTOR, quantity: 10, priority: 3, dueDate: DUE });

describe('orders planned by product take their routing from master data (HTTP, SQLite)', function () {
  this.timeout(60_000);
  let plant: MasterPlant;
  // the operator logged in on a PDA: scans and starts clock whoever the session says
  let operator: ShopFloor;
  const released = async (orderId: string) => {
    const events = await plant.backbone.store.readStream(`order-${orderId}`);
    const event = events.find((e) => e.type === 'OrderReleased') as RecordedEvent<
      'OrderReleased',
      { routing: Routing; masterData: MasterVersions }
    >;
    return event.data;
  };

  before(async () => {
    plant = await startMasterPlant('2026-11-25T00:00:00Z');
    await seedMotorPlant(plant);
    operator = await shopFloor(plant.api, 'PDA-M1', 'e1001', 'B-E1001');
  });
  after(async () => plant.stop());

  it('copies the routing, BOM and inspection plan in force at release, and records their versions', async () => {
    const { api } = plant;
    // assembly gets slower from tomorrow: version 2, not yet in force today
    await ok(
      api.call('PUT', `/api/master/routings/${MOTOR}`, {
        as: 'planner',
        body: {
          effectiveFrom: '2026-11-26T00:00:00Z',
          operations: [(await routingStep('010')) ?? {}, { ...assemblyStep, standardMinutesPerUnit: 15 }],
        },
      }),
    );
    plant.at('2026-11-25T01:00:00Z');
    const planned = await ok(api.post('/api/orders', order('PO-A'), 'planner'));
    expect(planned['events']).to.deep.equal(['OrderPlanned']);
    plant.at('2026-11-25T02:00:00Z');
    await ok(api.post('/api/orders/PO-A/release', {}, 'planner'));
    const today = await released('PO-A');
    expect(today.masterData).to.deep.equal({
      product: { version: 1, effectiveFrom: '2026-11-25T00:00:00.000Z' },
      routing: { version: 1, effectiveFrom: '2026-11-25T00:00:00.000Z' },
      bom: { version: 1, effectiveFrom: '2026-11-25T00:00:00.000Z' },
      inspectionPlan: { version: 1, effectiveFrom: '2026-11-25T00:00:00.000Z' },
    });
    const [winding, assembly] = today.routing.operations;
    expect(winding?.materials).to.deep.equal([
      { material: 'CU-WIRE-1.2', quantityPerUnit: 2.5, unit: 'kg', scrapAllowance: 0.02 },
    ]);
    expect(assembly).to.deep.include({ standardMinutesPerUnit: 12, inspectionRequired: true, sampleSize: 5 });
    expect(assembly?.characteristics?.[0]).to.deep.include({ name: 'insulation', nominal: 100, lower: 50 });

    plant.at('2026-11-26T01:00:00Z');
    await ok(api.post('/api/orders', order('PO-B'), 'planner'));
    await ok(api.post('/api/orders/PO-B/release', {}, 'planner'));
    const tomorrow = await released('PO-B');
    expect(tomorrow.masterData.routing.version).to.equal(2);
    expect(tomorrow.routing.operations[1]?.standardMinutesPerUnit).to.equal(15);
  });

  it('leaves a released order alone when its routing is revised after release', async () => {
    const { api } = plant;
    plant.at('2026-11-26T02:00:00Z');
    const test = { ...assemblyStep, operationId: '030', code: 'TEST', names: { 'zh-CN': '出厂试验' } };
    await ok(
      api.call('PUT', `/api/master/routings/${MOTOR}`, {
        as: 'planner',
        body: { operations: [(await routingStep('010')) ?? {}, (await routingStep('020')) ?? {}, test] },
      }),
    );
    await plant.backbone.readModels.idle();
    const wip = (await api.get('/api/wip/orders/PO-A', 'planner')).body as {
      operations: Array<{ operationId: string }>;
    };
    expect(wip.operations.map((op) => op.operationId)).to.deep.equal(['010', '020']);
    expect((await api.get('/api/orders/PO-A/operations/030/card', 'planner')).status).to.equal(404);
    // a later due date does not need the routing again: the copied one stays
    await ok(
      api.call('PUT', '/api/orders/PO-A', {
        as: 'planner',
        body: { ...order('PO-A'), orderId: undefined, dueDate: '2026-12-06T17:00:00+08:00' },
      }),
    );
    expect((await released('PO-A')).routing.operations).to.have.length(2);
    const state = await plant.backbone.services.commands.load('order', 'PO-A');
    expect(state.state.status === 'Released' && state.state.spec.routing?.operations.length).to.equal(2);
  });

  it('keeps the Chinese product name through planning, release, scans and every export', async () => {
    const { api } = plant;
    const card = (await api.get('/api/orders/PO-A/operations/010/card', 'operator')).body as {
      payload: string;
      productName: string;
    };
    expect(card).to.deep.include({
      productName: MOTOR_NAMES['zh-CN'],
      operationName: '绕线',
      instructions: '1. 检查漆包线规格\n2. 按图纸绕制定子线圈',
      instructionsUrl: 'http://wiki.qijiang.local/工艺/YE3-132M-4/绕线.pdf',
    });
    for (const [scanId, action, extra] of [
      ['s1', 'start', {}],
      ['s2', 'complete', { good: 10, scrap: 0, rework: 0 }],
    ] as const)
      await ok(asOperator(api, operator, 'POST', '/api/scans', { scanId, card: card.payload, action, ...extra }));
    await plant.backbone.readModels.idle();

    const zh = (await api.get('/api/wip/orders/PO-A', 'planner')).body as Record<string, unknown>;
    const en = (await api.get('/api/wip/orders/PO-A', 'planner', { 'accept-language': 'en-US,en;q=0.9' }))
      .body as Record<string, unknown>;
    expect([zh['productName'], en['productName']]).to.deep.equal([MOTOR_NAMES['zh-CN'], MOTOR_NAMES.en]);
    // a page of orders, kept with its names per language: each asker gets its own language's, every time
    const listed = async (headers?: Record<string, string>) =>
      (
        (await api.get('/api/wip/orders?limit=20', 'planner', headers)).body as {
          items: Array<Record<string, unknown>>;
        }
      ).items.find((o) => o['orderId'] === 'PO-A')?.['productName'];
    const english = { 'accept-language': 'en-US,en;q=0.9' };
    expect([await listed(), await listed(english), await listed(), await listed(english)]).to.deep.equal([
      MOTOR_NAMES['zh-CN'],
      MOTOR_NAMES.en,
      MOTOR_NAMES['zh-CN'],
      MOTOR_NAMES.en,
    ]);

    const svg = await api.get('/api/orders/PO-A/operations/020/card.svg', 'operator');
    expect(svg.headers.get('content-type')).to.match(/image\/svg\+xml; charset=utf-8/);
    expect(svg.text).to.include(`产品 ${MOTOR} ${MOTOR_NAMES['zh-CN']}`).and.include('工序 020 总装');

    const csv = await fetch(`${plant.baseUrl}/api/wip/orders?format=csv`, {
      headers: { authorization: `Bearer ${plant.tokens.planner}` },
    });
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)], 'a UTF-8 byte order mark, for spreadsheets').to.deep.equal([0xef, 0xbb, 0xbf]);
    const row = bytes
      .toString('utf8')
      .split('\n')
      .find((line) => line.startsWith('PO-A,'));
    expect(row).to.include(`,${MOTOR_NAMES['zh-CN']},10,台,`);

    const events = await plant.backbone.store.readStream('order-PO-A');
    const cloudEvent = JSON.parse(JSON.stringify(toCloudEvent(events[0] as RecordedEvent))) as {
      data: { spec: { productNames: unknown } };
    };
    expect(cloudEvent.data.spec.productNames).to.deep.equal(MOTOR_NAMES);

    // the ERP and WMS messages the outbox would send, decided from the same events
    let memory: OrderMemory | undefined;
    const messages = events.flatMap((event) => {
      const domainEvent = asDomainEvent(event);
      if (!domainEvent) return [];
      const out = translate(domainEvent, () => memory);
      if (out.memory !== undefined) memory = out.memory ?? undefined;
      return out.messages;
    });
    const request = JSON.parse(messages.find((m) => m.kind === 'MaterialRequest')?.body ?? '{}') as {
      lines: Array<{ quantity: number }>;
    };
    expect(request.lines).to.deep.include({
      operationId: '010',
      workCenter: 'WC-WIND',
      material: 'CU-WIRE-1.2',
      quantity: 25.5,
      unit: 'kg',
    });
    const xml = messages.find((m) => m.kind === 'ProductionPerformance')?.body ?? '';
    const parsed = new XMLParser().parse(xml) as {
      ProductionPerformance: { ProductionResponse: { SegmentResponse: { MaterialActual: { Description: string } } } };
    };
    expect(parsed.ProductionPerformance.ProductionResponse.SegmentResponse.MaterialActual.Description).to.equal(
      MOTOR_NAMES['zh-CN'],
    );
  });

  it('refuses to issue a material that is not on the operation’s bill of materials, in the caller’s language', async () => {
    const { api } = plant;
    for (const [lotId, material] of [
      ['L-STEEL', 'Q235-BAR'],
      ['L-CU', 'CU-WIRE-1.2'],
    ])
      await ok(
        api.post(
          '/api/lots',
          { lotId, material, quantity: 100, unit: 'kg', supplier: '重庆钢铁', supplierLot: 'S-1' },
          'planner',
        ),
      );
    const issue = { orderId: 'PO-B', operationId: '010', quantity: 25 };
    const refused = await api.post('/api/lots/L-STEEL/issue', issue, 'operator');
    expect(refused.status).to.equal(409);
    expect(refused.body).to.deep.include({
      rule: 'material-not-on-bom',
      detail: '批次 L-STEEL 的物料 Q235-BAR 不在订单 PO-B 工序 010 的物料清单上',
    });
    const english = await api.post('/api/lots/L-STEEL/issue', issue, 'operator', { 'accept-language': 'en' });
    expect((english.body as { detail: string }).detail).to.equal(
      'material Q235-BAR of lot L-STEEL is not on the bill of materials of operation 010 of order PO-B',
    );
    await ok(api.post('/api/lots/L-CU/issue', issue, 'operator'));
  });

  it('labels scrap reasons in the caller’s language where the Pareto lists them', async () => {
    const { api } = plant;
    await ok(asOperator(api, operator, 'POST', '/api/orders/PO-B/operations/010/start', {}));
    await ok(
      api.post(
        '/api/orders/PO-B/operations/010/report',
        { good: 9, scrap: 1, scrapReason: 'dimension', rework: 0 },
        'operator',
      ),
    );
    await plant.backbone.readModels.idle();
    const label = async (language: string) =>
      (
        (await api.get('/api/quality/pareto', 'quality', { 'accept-language': language })).body as Array<
          Record<string, unknown>
        >
      ).find((row) => row['reason'] === 'dimension')?.['label'];
    expect([await label('zh-CN'), await label('en')]).to.deep.equal(['尺寸超差', 'Out of dimension']);
  });

  it('plans from a B2MML request whose segment names no process segment with the master routing, its Chinese customer kept', async () => {
    const { api } = plant;
    // V0600: the request's one SegmentRequirement names no process segment, only what to produce
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<ProductionSchedule xmlns="http://www.mesa.org/xml/B2MML-V0600"><ID>SCH-1</ID>
  <ProductionRequest><ID>PO-ERP-1</ID><Description>重庆长安汽车
    电机事业部</Description><ProductProductionRuleID>${MOTOR}</ProductProductionRuleID>
    <EndTime>${DUE}</EndTime>
    <SegmentRequirement><ID>1</ID><MaterialRequirement><MaterialDefinitionID>${MOTOR}</MaterialDefinitionID><MaterialUse>Produced</MaterialUse>
      <Quantity><QuantityString>5</QuantityString><UnitOfMeasure>台</UnitOfMeasure></Quantity></MaterialRequirement></SegmentRequirement>
  </ProductionRequest>
  <ProductionRequest><ID>PO-ERP-2</ID><ProductProductionRuleID>YE2-90S</ProductProductionRuleID>
    <EndTime>${DUE}</EndTime>
    <SegmentRequirement><ID>1</ID><MaterialRequirement><MaterialDefinitionID>YE2-90S</MaterialDefinitionID><MaterialUse>Produced</MaterialUse>
      <Quantity><QuantityString>5</QuantityString><UnitOfMeasure>台</UnitOfMeasure></Quantity></MaterialRequirement></SegmentRequirement>
  </ProductionRequest></ProductionSchedule>`;
    const imported = await api.call('POST', '/api/erp/production-schedules', {
      as: 'integrator',
      raw: xml,
      headers: { 'content-type': 'application/xml' },
    });
    const results = (imported.body as { results: Array<Record<string, unknown>> }).results;
    expect(results.map((r) => [r['orderId'], r['outcome'], r['rule']])).to.deep.equal([
      ['PO-ERP-1', 'planned', undefined],
      ['PO-ERP-2', 'refused', 'product-unknown'],
    ]);
    await ok(api.post('/api/orders/PO-ERP-1/release', {}, 'planner'));
    const { routing, masterData } = await released('PO-ERP-1');
    expect(routing.operations.map((op) => op.operationId)).to.deep.equal(['010', '020', '030']);
    expect(masterData.routing.version).to.equal(3);
    await plant.backbone.readModels.idle();
    const wip = (await api.get('/api/wip/orders/PO-ERP-1', 'planner')).body as Record<string, unknown>;
    expect(wip).to.deep.include({ customer: '重庆长安汽车 电机事业部', productName: MOTOR_NAMES['zh-CN'], unit: '台' });
  });

  it('refuses an order that names only a product master data does not know, naming it', async () => {
    const refused = await plant.api.post('/api/orders', { ...order('PO-X'), product: 'YE3-999' }, 'planner');
    expect(refused.status).to.equal(409);
    expect(refused.body).to.deep.include({ rule: 'product-unknown', params: { product: 'YE3-999' } });
    expect((refused.body as { detail: string }).detail).to.include('产品 YE3-999 不在主数据中');
  });

  /** An operation of the routing as master data has it now. */
  const routingStep = async (operationId: string) => {
    const routing = (await plant.api.get(`/api/master/routings/${MOTOR}`, 'planner')).body as {
      record: { operations: Array<Record<string, unknown>> };
    };
    return routing.record.operations.find((op) => op['operationId'] === operationId);
  };
});
