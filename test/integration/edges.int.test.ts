import { expect } from 'chai';
import type { RecordedEvent } from '../../src/app/eventStore';
import { ok, startMasterPlant, type MasterPlant } from '../support/masterPlant';
import { asOperator, shopFloor, type ShopFloor } from '../support/people';

const RELEASED_AT = '2026-03-02T08:00:00.000Z';

const order = (orderId: string) => ({
  orderId,
  product: 'SHAFT',
  quantity: 100,
  unit: 'pcs',
  customer: 'ACME',
  priority: 2,
  dueDate: '2026-03-10T17:00:00+08:00',
  routing: {
    overlap: false,
    operations: [
      {
        operationId: '010',
        code: 'TURN',
        workCenter: 'WC-EDGE',
        standardMinutesPerUnit: 2,
        setupMinutes: 10,
        inspectionRequired: false,
        materials: [],
      },
    ],
  },
});

type Problem = { status: number; rule?: string; params?: Record<string, unknown>; errors?: { path: string }[] };

describe('times and identities at the edges (HTTP, SQLite)', function () {
  this.timeout(60_000);
  let plant: MasterPlant;
  let first: ShopFloor;
  let second: ShopFloor;
  let card: string;
  const events = async (streamId: string) => plant.backbone.store.readStream(streamId);
  const scan = (who: ShopFloor, body: Record<string, unknown>) =>
    asOperator(plant.api, who, 'POST', '/api/scans', { card, ...body });

  before(async () => {
    plant = await startMasterPlant('2026-03-02T07:00:00.000Z');
    first = await shopFloor(plant.api, 'PDA-E1', 'op-edge-1', 'B-EDGE-1');
    second = await shopFloor(plant.api, 'PDA-E2', 'op-edge-2', 'B-EDGE-2');
    await ok(plant.api.post('/api/orders', order('PO-EDGE'), 'planner'));
    plant.at(RELEASED_AT);
    await ok(plant.api.post('/api/orders/PO-EDGE/release', {}, 'planner'));
    card = ((await plant.api.get('/api/orders/PO-EDGE/operations/010/card', 'operator')).body as { payload: string })
      .payload;
  });
  after(async () => plant.stop());

  it('refuses a scan dated 2020 on an order released in 2026 and a pause dated 2030, naming at, writing nothing', async () => {
    plant.at('2026-03-02T08:30:00.000Z');
    const old = await scan(first, { scanId: 'edge-old', action: 'start', at: '2020-01-01T08:00:00+08:00' });
    expect(old.status, JSON.stringify(old.body)).to.equal(400);
    expect(old.body).to.deep.include({ rule: 'time-before-release' });
    expect((old.body as Problem).errors?.map((e) => e.path)).to.deep.equal(['/at']);
    await ok(scan(first, { scanId: 'edge-start', action: 'start' }));
    const future = await scan(first, { scanId: 'edge-pause', action: 'pause', at: '2030-01-01T08:00:00+08:00' });
    expect(future.status, JSON.stringify(future.body)).to.equal(400);
    expect(future.body).to.deep.include({ rule: 'time-in-future' });
    expect((future.body as Problem).errors?.map((e) => e.path)).to.deep.equal(['/at']);
    const types = (await events('order-PO-EDGE')).map((e) => e.type);
    expect(types).to.include('OperationStarted').and.not.include('OperationPaused');
    // the refused scans' ids stay free: the same id, corrected, is taken
    plant.at('2026-03-02T08:32:00.000Z');
    await ok(scan(first, { scanId: 'edge-pause', action: 'pause', at: '2026-03-02T08:31:00.000Z' }));
    await ok(scan(first, { scanId: 'edge-resume', action: 'resume' }));
  });

  it('records the server’s receive time beside the scan’s own time', async () => {
    plant.at('2026-03-02T09:00:00.000Z');
    await ok(scan(first, { scanId: 'edge-report', action: 'report', good: 1, at: '2026-03-02T08:59:00.000Z' }));
    const report = (await events('order-PO-EDGE')).find((e) => e.metadata.inputId === 'edge-report') as RecordedEvent;
    expect(report.type).to.equal('OperationQuantityReported');
    expect(report.metadata).to.deep.include({
      occurredAt: '2026-03-02T08:59:00.000Z',
      receivedAt: '2026-03-02T09:00:00.000Z',
    });
  });

  it('answers a reused scan id with other content 409; another caller’s same scan id is another scan', async () => {
    plant.at('2026-03-02T09:10:00.000Z');
    const body = { scanId: 'edge-same', action: 'report', good: 2 };
    const once = await ok(scan(first, body));
    expect(once['results']).to.deep.equal([
      {
        streamId: 'order-PO-EDGE',
        revision: (once['results'] as [{ revision: number }])[0].revision,
        position: (once['results'] as [{ position: string }])[0].position,
        events: ['OperationQuantityReported'],
        duplicate: false,
      },
    ]);
    const again = await ok(scan(first, body));
    expect((again['results'] as [{ duplicate: boolean }])[0].duplicate, 'the same scan again is a retry').to.equal(
      true,
    );
    const other = await scan(first, { ...body, good: 5 });
    expect(other.status, JSON.stringify(other.body)).to.equal(409);
    expect(other.body).to.deep.include({ rule: 'scan-id-reused', params: { scanId: 'edge-same' } });
    const theirs = await ok(scan(second, body));
    expect((theirs['results'] as [{ duplicate: boolean; events: string[] }])[0]).to.deep.include({
      duplicate: false,
      events: ['OperationQuantityReported'],
    });
    const reports = (await events('order-PO-EDGE')).filter((e) => e.metadata.inputId === 'edge-same');
    expect(reports.map((e) => [e.metadata.actor, (e.data as { good: number }).good])).to.deep.equal([
      ['op-edge-1', 2],
      ['op-edge-2', 2],
    ]);
  });

  it('makes its own correlation id for each request, keeping the client’s X-Request-Id beside it', async () => {
    const mine = await plant.api.call('POST', '/api/orders', {
      as: 'planner',
      body: order('PO-EDGE-A'),
      headers: { 'x-request-id': 'trace-shared-1' },
    });
    const theirs = await plant.api.call('POST', '/api/orders', {
      as: 'all',
      body: order('PO-EDGE-B'),
      headers: { 'x-request-id': 'trace-shared-1' },
    });
    expect([mine.status, theirs.status]).to.deep.equal([201, 201]);
    expect(mine.headers.get('x-request-id'), 'the client’s id is echoed').to.equal('trace-shared-1');
    const correlation = mine.headers.get('x-correlation-id') as string;
    expect(correlation).to.match(/^[0-9a-f-]{36}$/);
    expect(theirs.headers.get('x-correlation-id'))
      .to.match(/^[0-9a-f-]{36}$/)
      .and.not.equal(correlation);
    const [planned] = await events('order-PO-EDGE-A');
    expect(planned?.metadata).to.deep.include({ correlationId: correlation, clientRequestId: 'trace-shared-1' });
    const trace = await plant.api.get(`/api/correlations/${correlation}`, 'auditor');
    expect((trace.body as Array<{ streamId: string }>).map((e) => e.streamId)).to.deep.equal(['order-PO-EDGE-A']);
    expect((await plant.api.get('/api/correlations/trace-shared-1', 'auditor')).status).to.equal(404);
  });

  it('keeps the first state of a device 2 s behind the server, and refuses states before registration or from the future', async () => {
    plant.at('2026-03-02T10:00:00.000Z');
    await ok(
      plant.api.post(
        '/api/machines',
        {
          machineId: 'M-EDGE',
          code: 'CNC-E',
          name: 'Lathe E',
          type: 'CNC lathe',
          workCenter: 'WC-EDGE',
          ratedPowerKw: 11,
        },
        'maintenance',
      ),
    );
    const state = (at: string) => plant.api.post('/api/machines/M-EDGE/state', { state: 'running', at }, 'integrator');
    const before = await state('2026-03-01T10:00:00.000Z');
    expect(before.status).to.equal(400);
    expect(before.body).to.deep.include({ rule: 'time-before-registration' });
    const future = await state('2030-01-01T00:00:00.000Z');
    expect(future.status).to.equal(400);
    expect((future.body as Problem).errors?.map((e) => e.path)).to.deep.equal(['/at']);
    // the device's clock says 09:59:58, 2 s behind the server's registration at 10:00:00
    await ok(state('2026-03-02T09:59:58.000Z'));
    const changed = (await events('machine-M-EDGE')).find((e) => e.type === 'MachineStateChanged') as RecordedEvent;
    expect(changed.data).to.deep.include({
      state: 'running',
      changedAt: '2026-03-02T10:00:00.000Z',
      previousSeconds: 0,
    });
  });

  it('refuses limit=5000 where 1 to 1000 is documented, naming limit', async () => {
    for (const path of ['/api/wip/orders?limit=5000', '/api/wip/orders?limit=0']) {
      const refused = await plant.api.get(path, 'analyst');
      expect(refused.status, path).to.equal(400);
      expect((refused.body as Problem).errors?.map((e) => e.path)).to.deep.equal(['/query/limit']);
    }
    expect((await plant.api.get('/api/wip/orders?limit=1000', 'analyst')).status).to.equal(200);
  });
});
