import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { allRoutes, type ApiDeps } from '../../src/api/app';
import { ROLES } from '../../src/api/auth';
import { startBackboneProcess, type BackboneProcess } from '../support/backboneProcess';
import { client, makeKeys } from '../support/apiClient';
import { asOperator, shopFloor, type ShopFloor } from '../support/people';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/lib/merkle';

/** The route table, read for its shape only (no handler is called). */
const ROUTES = allRoutes({} as ApiDeps);
const fill = (path: string) => path.replace(/:([A-Za-z]+)/g, 'X1');

const ORDER = {
  orderId: 'PO-E2E-1',
  product: 'SHAFT',
  quantity: 10,
  unit: 'pcs',
  customer: 'ACME',
  priority: 2,
  dueDate: '2027-12-01T00:00:00+08:00', // far enough ahead that the order is not late whenever the suite runs
  routing: {
    overlap: false,
    operations: [
      {
        operationId: '010',
        code: 'TURN',
        workCenter: 'WC-E2E',
        standardMinutesPerUnit: 2,
        setupMinutes: 10,
        inspectionRequired: false,
        materials: [],
      },
    ],
  },
};

describe('REST API over HTTP (a started process)', function () {
  this.timeout(120_000);
  const temp = makeTempDir('mes-api-');
  const keys = makeKeys(temp.dir);
  let backbone: BackboneProcess;
  let api: ReturnType<typeof client>;
  let operator: ShopFloor;

  before(async () => {
    // one address sends every forged key of the 401 test: its lock is set out of the way here
    backbone = await startBackboneProcess({
      DATA_DIR: temp.dir,
      API_KEYS_FILE: keys.file,
      LOGIN_ADDRESS_MAX_FAILURES: '100000',
      PROOF_CHECKPOINT_SECONDS: '1',
    });
    api = client(backbone.baseUrl, keys.tokens);
    operator = await shopFloor(api, 'PDA-E2E', 'li.wei', 'B-E2E-1');
  });
  after(async () => {
    await backbone.stop();
    temp.remove();
  });

  describe('roles, route by route', () => {
    it('answers 401 without a token or with an unknown one, on every route but the logins', async () => {
      expect(ROUTES.filter((r) => r.public).map((r) => r.path)).to.deep.equal([
        '/api/session',
        '/api/session/second-factor',
      ]);
      for (const route of ROUTES.filter((r) => !r.public)) {
        const none = await api.call(route.method.toUpperCase(), fill(route.path), {
          as: null,
          ...(route.body ? { body: {} } : {}),
        });
        expect(none.status, `${route.method} ${route.path}`).to.equal(401);
        expect(none.headers.get('content-type')).to.match(/application\/problem\+json/);
        const forged = await api.call(route.method.toUpperCase(), fill(route.path), {
          as: null,
          headers: { authorization: 'Bearer not-a-real-key-at-all' },
        });
        expect(forged.status, `${route.method} ${route.path}`).to.equal(401);
      }
    });

    it('answers 403 to every role the route does not allow, and lets the allowed ones through', async () => {
      for (const route of ROUTES.filter((r) => !r.public)) {
        for (const role of ROLES) {
          const response = await api.call(route.method.toUpperCase(), fill(route.path), {
            as: role,
            statusOnly: true,
            ...(route.body ? { body: {} } : {}),
          });
          const allowed = route.roles.includes(role);
          if (allowed) expect(response.status, `${role} on ${route.method} ${route.path}`).to.not.be.oneOf([401, 403]);
          else expect(response.status, `${role} on ${route.method} ${route.path}`).to.equal(403);
        }
      }
    });
  });

  describe('commands', () => {
    it('plans an order (201 with an ETag), refuses a stale If-Match with 412, and releases with the right one', async () => {
      const planned = await api.post('/api/orders', ORDER, 'planner');
      expect(planned.status).to.equal(201);
      expect(planned.body).to.deep.include({ streamId: 'order-PO-E2E-1', revision: 0, events: ['OrderPlanned'] });
      expect(planned.headers.get('etag')).to.equal('"0"');
      const stale = await api.post('/api/orders/PO-E2E-1/release', {}, 'planner', { 'if-match': '"7"' });
      expect(stale.status).to.equal(412);
      expect(stale.body).to.deep.include({ streamId: 'order-PO-E2E-1', expected: 7, actual: 0 });
      const released = await api.post('/api/orders/PO-E2E-1/release', {}, 'planner', { 'if-match': '"0"' });
      expect(released.status).to.equal(200);
      expect((released.body as { events: string[] }).events).to.deep.equal(['OrderReleased', 'OperationReady']);
    });

    it('answers a retried request with the same Idempotency-Key with the first answer, writing nothing', async () => {
      const body = {
        lotId: 'L-E2E-1',
        material: 'BAR',
        quantity: 50,
        unit: 'kg',
        supplier: 'Steel Co',
        supplierLot: 'S1',
      };
      const first = await api.post('/api/lots', body, 'planner', { 'idempotency-key': 'wms-receipt-1' });
      const again = await api.post('/api/lots', body, 'planner', { 'idempotency-key': 'wms-receipt-1' });
      expect(first.status).to.equal(201);
      expect(again.status).to.equal(201);
      expect(again.body).to.deep.equal(first.body);
      expect(again.headers.get('idempotent-replayed')).to.equal('true');
      const other = await api.post('/api/lots', { ...body, lotId: 'L-E2E-2' }, 'planner', {
        'idempotency-key': 'wms-receipt-1',
      });
      expect(other.status).to.equal(409);
      const history = await api.get('/api/streams/lot-L-E2E-1/events', 'auditor');
      expect((history.body as unknown[]).length).to.equal(1);
    });

    it('prints an operation card whose QR code a PDA scan starts the operation with, once', async () => {
      const card = await api.get('/api/orders/PO-E2E-1/operations/010/card.svg', 'planner', {
        'accept-language': 'en',
      });
      expect(card.status).to.equal(200);
      expect(card.headers.get('content-type')).to.match(/image\/svg\+xml/);
      expect(card.text).to.include('Order PO-E2E-1').and.include('Work center WC-E2E').and.include('<path');
      const cardKey = await api.get('/api/wip/orders/PO-E2E-1', 'operator');
      expect(cardKey.status).to.be.oneOf([200, 404]);
      const forged = await asOperator(api, operator, 'POST', '/api/scans', {
        scanId: 'scan-x',
        card: 'MES1/PO-E2E-1/010/AAAAAAAAAAAAAAAAAAAAAA',
        action: 'start',
      });
      expect(forged.status).to.equal(400);
      expect((forged.body as { errors: Array<{ path: string }> }).errors[0]?.path).to.equal('/card');
    });

    it('runs an operation through report and complete, and refuses what the rules refuse with 409 and the rule', async () => {
      const start = '/api/orders/PO-E2E-1/operations/010/start';
      const someoneElse = await asOperator(api, operator, 'POST', start, { machineId: 'M1', operatorId: 'op-1' });
      expect(someoneElse.status).to.equal(403);
      expect(someoneElse.body).to.deep.include({ rule: 'operator-not-caller' });
      expect((await asOperator(api, operator, 'POST', start, { machineId: 'M1' })).status).to.equal(200);
      const started = (await api.get('/api/streams/order-PO-E2E-1/events', 'auditor')).body as Array<{
        type: string;
        data: { operatorId?: string };
        metadata: { actor: string };
      }>;
      const event = started.find((e) => e.type === 'OperationStarted');
      expect([event?.data.operatorId, event?.metadata.actor], 'the operator of the session').to.deep.equal([
        'li.wei',
        'li.wei',
      ]);
      const tooMany = await api.post(
        '/api/orders/PO-E2E-1/operations/010/report',
        { good: 11, scrap: 0, rework: 0 },
        'operator',
      );
      expect(tooMany.status).to.equal(409);
      expect(tooMany.body).to.deep.include({ rule: 'good-exceeds-delivered' });
      expect(
        (
          await api.post(
            '/api/orders/PO-E2E-1/operations/010/report',
            { good: 9, scrap: 1, scrapReason: 'BURR', rework: 0 },
            'operator',
          )
        ).status,
      ).to.equal(200);
      const done = await api.post('/api/orders/PO-E2E-1/operations/010/complete', {}, 'operator');
      expect((done.body as { events: string[] }).events).to.deep.equal(['OperationCompleted', 'OrderCompleted']);
    });
  });

  describe('ERP production schedules (B2MML)', () => {
    const schedule = readFileSync(resolve(__dirname, '../fixtures/b2mml/schedule.xml'), 'utf8');
    const send = (xml: string) =>
      api.call('POST', '/api/erp/production-schedules', {
        as: 'integrator',
        raw: xml,
        headers: { 'content-type': 'application/xml' },
      });
    const outcomes = (response: { body: unknown }) =>
      (response.body as { results: Array<{ outcome: string; rule?: string }> }).results.map((r) => r.rule ?? r.outcome);

    it('plans an order from a schedule; the same schedule again creates nothing; a changed one revises it', async () => {
      expect(outcomes(await send(schedule))).to.deep.equal(['planned']);
      expect(outcomes(await send(schedule))).to.deep.equal(['unchanged']);
      expect(outcomes(await send(schedule.replace('<Priority>2</Priority>', '<Priority>1</Priority>')))).to.deep.equal([
        'revised',
      ]);
      const history = (await api.get('/api/streams/order-ERP-1001/events', 'auditor')).body as Array<{
        type: string;
        metadata: { source: string };
      }>;
      expect(history.map((e) => e.type)).to.deep.equal(['OrderPlanned', 'OrderRevised']);
      expect(history[0]?.metadata.source).to.equal('erp');
    });

    it('refuses a change once the order has started, and refuses XXE and broken documents with 400', async () => {
      await api.post('/api/orders/ERP-1001/release', {}, 'planner');
      await api.post('/api/orders/ERP-1001/operations/010/start', {}, 'operator');
      expect(outcomes(await send(schedule.replace('<Priority>2</Priority>', '<Priority>3</Priority>')))).to.deep.equal([
        'order-started',
      ]);
      const xxe = await send(
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><ProductionSchedule/>',
      );
      expect(xxe.status).to.equal(400);
      expect((xxe.body as { detail: string }).detail).to.match(/DTD/);
      expect((await send('<ProductionSchedule><ProductionRequest>')).status).to.equal(400);
    });
  });

  describe('queries', () => {
    it('serves the WIP of an order and the yields once the projections catch up', async () => {
      const order = await waitFor(async () => {
        const r = await api.get('/api/wip/orders/PO-E2E-1', 'analyst');
        return r.status === 200 && (r.body as { status: string }).status === 'Completed' ? r.body : undefined;
      }, 'the order in WIP');
      expect(order).to.deep.include({ quantityRemaining: 1, late: false });
      const list = await api.get('/api/wip/orders?status=Completed&sort=-dueDate&limit=5', 'analyst');
      expect((list.body as { items: Array<{ orderId: string }> }).items.map((o) => o.orderId)).to.include('PO-E2E-1');
      const yields = await api.get('/api/quality/yields?by=product', 'quality');
      expect(yields.body).to.deep.equal([
        {
          dimension: 'product',
          key: 'SHAFT',
          units: 10,
          firstPassGood: 9,
          good: 9,
          scrap: 1,
          rework: 0,
          inspectionRejected: 0,
          firstPassYield: 0.9,
          finalYield: 0.9,
          rolledThroughputYield: 0.9,
          operations: [{ operationId: '010', firstPassYield: 0.9 }],
        },
      ]);
      const pareto = await api.get('/api/quality/pareto', 'analyst');
      expect(pareto.body).to.deep.equal([{ kind: 'scrap', reason: 'BURR', units: 1, cumulativeShare: 1 }]);
    });

    it('refuses a live-event position that is not this store’s, and a day that is not a date, with 400', async () => {
      const foreign = await api.get('/api/events/stream?after=12/34', 'integrator');
      expect(foreign.status).to.equal(400);
      expect(foreign.headers.get('content-type')).to.match(/application\/problem\+json/);
      const resume = await api.get('/api/events/stream', 'integrator', { 'last-event-id': 'yesterday' });
      expect(resume.status).to.equal(400);
      const day = await api.get('/api/carbon/days/X1', 'analyst');
      expect((day.body as { errors: Array<{ path: string }> }).errors[0]?.path).to.equal('/params/day');
    });

    it('refuses unknown query parameters and bad values with the parameter named', async () => {
      const unknown = await api.get('/api/wip/orders?colour=red', 'analyst');
      expect(unknown.status).to.equal(400);
      expect((unknown.body as { errors: Array<{ path: string }> }).errors[0]?.path).to.equal('/query/colour');
      const bad = await api.get('/api/wip/orders?limit=lots', 'analyst');
      expect((bad.body as { errors: Array<{ path: string }> }).errors[0]?.path).to.equal('/query/limit');
      const cursor = await api.get('/api/wip/orders?cursor=forged', 'analyst');
      expect(cursor.status).to.equal(400);
    });
  });

  describe('traceability', () => {
    it('shows a stream’s history with who, when and source, and its state as of an instant', async () => {
      const history = await api.get('/api/streams/order-PO-E2E-1/events', 'auditor');
      const events = history.body as Array<{
        type: string;
        recordedAt: string;
        metadata: { actor: string; source: string; correlationId: string };
      }>;
      expect(events.map((e) => e.type).slice(0, 2)).to.deep.equal(['OrderPlanned', 'OrderReleased']);
      expect(events[0]?.metadata).to.deep.include({ actor: 'planner-1', source: 'api' });
      const asOf = await api.get(
        `/api/streams/order-PO-E2E-1/state?asOf=${encodeURIComponent(events[0]?.recordedAt as string)}`,
        'auditor',
      );
      expect((asOf.body as { state: { status: string }; revision: number }).state.status).to.equal('Planned');
      const now = await api.get('/api/streams/order-PO-E2E-1/state', 'auditor');
      expect((now.body as { state: { status: string } }).state.status).to.equal('Completed');
      const trace = await api.get(
        `/api/correlations/${encodeURIComponent(events[1]?.metadata.correlationId as string)}`,
        'auditor',
      );
      expect((trace.body as Array<{ type: string }>).map((e) => e.type)).to.include('OrderReleased');
    });

    it('gives an order’s traceability as EPCIS 2.0 JSON-LD: input lots to output lots, and inspections', async () => {
      expect(
        // the order has completed: quality records the issue late, past the order's state, with a reason
        (
          await api.post(
            '/api/lots/L-E2E-1/issue',
            {
              orderId: 'PO-E2E-1',
              operationId: '010',
              quantity: 20,
              override: { reason: 'issue recorded after completion' },
            },
            'quality',
          )
        ).status,
      ).to.equal(200);
      expect(
        (
          await api.post(
            '/api/lots/produced',
            { lotId: 'FG-E2E-1', material: 'SHAFT', orderId: 'PO-E2E-1', quantity: 9, unit: 'pcs' },
            'operator',
          )
        ).status,
      ).to.equal(201);
      await api.post(
        '/api/inspections',
        {
          inspectionId: 'I-E2E-1',
          orderId: 'PO-E2E-1',
          lotId: 'FG-E2E-1',
          characteristics: [{ name: 'runout', kind: 'measured', upper: 0.02 }],
        },
        'quality',
      );
      await api.post(
        '/api/inspections/I-E2E-1/results',
        { results: [{ characteristic: 'runout', value: 0.01 }] },
        'quality',
      );
      const epcis = await api.get('/api/orders/PO-E2E-1/epcis', 'auditor');
      expect(epcis.headers.get('content-type')).to.match(/application\/ld\+json/);
      const doc = epcis.body as {
        type: string;
        schemaVersion: string;
        epcisBody: { eventList: Array<Record<string, unknown>> };
      };
      expect(doc).to.deep.include({ type: 'EPCISDocument', schemaVersion: '2.0' });
      const transformation = doc.epcisBody.eventList.find((e) => e['type'] === 'TransformationEvent');
      expect(transformation).to.deep.include({
        transformationID: 'urn:mes-backbone:order:PO-E2E-1',
        inputQuantityList: [{ epcClass: 'urn:mes-backbone:lot:L-E2E-1', quantity: 20, uom: 'KGM' }],
        outputQuantityList: [{ epcClass: 'urn:mes-backbone:lot:FG-E2E-1', quantity: 9, uom: 'H87' }],
      });
      const inspection = doc.epcisBody.eventList.find((e) => e['bizStep'] === 'inspecting');
      expect(inspection).to.deep.include({ type: 'ObjectEvent', action: 'OBSERVE', disposition: 'conformant' });
      expect(doc.epcisBody.eventList.find((e) => e['bizStep'] === 'receiving')).to.deep.include({ action: 'ADD' });
      expect((await api.get('/api/orders/NOPE/epcis', 'auditor')).status).to.equal(404);
    });

    it('verifies a stream and a category, and exports a time range as NDJSON', async () => {
      expect((await api.get('/api/verify/streams/order-PO-E2E-1', 'auditor')).body).to.deep.include({ ok: true });
      const category = await api.get('/api/verify/categories/order', 'auditor');
      expect(category.body).to.deep.include({ category: 'order', ok: true, broken: [] });
      const exported = await api.get('/api/export?category=lot', 'auditor');
      expect(exported.headers.get('content-type')).to.match(/application\/x-ndjson/);
      const lines = exported.text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { streamId: string; type: string; recordedAt: string });
      expect(new Set(lines.map((l) => l.streamId))).to.deep.equal(new Set(['lot-L-E2E-1', 'lot-FG-E2E-1']));
      const until = await api.get(
        `/api/export?category=lot&to=${encodeURIComponent(lines[0]?.recordedAt as string)}`,
        'auditor',
      );
      expect(
        until.text
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as { type: string }).type),
      ).to.deep.equal(['LotReceived']);
    });

    it('streams live events as SSE and resumes after the Last-Event-ID', async () => {
      const read = async (
        headers: Record<string, string>,
        count: number,
      ): Promise<Array<{ id: string; event: string }>> => {
        const controller = new AbortController();
        const response = await fetch(`${backbone.baseUrl}/api/events/stream?category=order`, {
          headers: { authorization: `Bearer ${keys.tokens.integrator}`, ...headers },
          signal: controller.signal,
        });
        expect(response.headers.get('content-type')).to.match(/text\/event-stream/);
        const reader = (response.body as ReadableStream<Uint8Array>).getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        const messages: Array<{ id: string; event: string }> = [];
        while (messages.length < count) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const id = /^id: (.*)$/m.exec(block)?.[1];
            const event = /^event: (.*)$/m.exec(block)?.[1];
            if (id && event) messages.push({ id, event });
          }
        }
        controller.abort();
        return messages.slice(0, count);
      };
      const first = await read({}, 3);
      expect(first.map((m) => m.event)).to.deep.equal(['OrderPlanned', 'OrderReleased', 'OperationReady']);
      const resumed = await read({ 'last-event-id': first[1]?.id as string }, 2);
      expect(resumed.map((m) => m.event)).to.deep.equal(['OperationReady', 'OperationStarted']);
    });
    it('lets the office follow the plant’s operations live, not people’s clockings nor the security trail', async () => {
      const open = async (role: 'analyst' | 'planner', query: string): Promise<number> => {
        const controller = new AbortController();
        const response = await fetch(`${backbone.baseUrl}/api/events/stream${query}`, {
          headers: { authorization: `Bearer ${keys.tokens[role]}` },
          signal: controller.signal,
        });
        controller.abort();
        return response.status;
      };
      expect(await open('analyst', '?category=machine')).to.equal(200);
      expect(await open('planner', '')).to.equal(200);
      expect(await open('analyst', '?category=operator')).to.equal(403);
      expect(await open('planner', '?category=person')).to.equal(403);
    });
  });

  describe('the log-wide proof', () => {
    type Signed = { treeSize: number; rootHash: string; keyId: string };
    it('signs checkpoints, proves an event in one and one checkpoint in a later, and verifies the log against the witness', async () => {
      const first = await waitFor(
        async () => {
          const answer = await api.get('/api/proof/checkpoint', 'auditor');
          return answer.status === 200 && (answer.body as { checkpoint: Signed }).checkpoint;
        },
        'a first checkpoint',
        30_000,
      );
      const keysAnswer = await api.get('/api/proof/keys', 'auditor');
      expect(keysAnswer.status, keysAnswer.text).to.equal(200);
      const keys = keysAnswer.body as { keyId: string }[];
      expect(keys.map((k) => k.keyId)).to.include(first.keyId);
      // something new in the log, then a later checkpoint that must extend the first and hold it: a
      // checkpoint past the first may hold only what came before the order (this test's own reads are
      // traceability events of the log), so the wait is for the order's event to be proven
      expect((await api.post('/api/orders', { ...ORDER, orderId: 'PO-PROOF-1' }, 'planner')).status).to.equal(201);
      const history = (await api.get('/api/streams/order-PO-PROOF-1/events', 'auditor')).body as { id: string }[];
      const included = await waitFor(
        async () => {
          const answer = await api.get(`/api/proof/events/${history[0]?.id}/inclusion`, 'auditor');
          // not in the proof yet (404), or in it and not yet under a signed checkpoint (409): a later look
          if (answer.status === 404 || answer.status === 409) return false;
          expect(answer.status, answer.text).to.equal(200);
          return answer;
        },
        "a checkpoint holding the order's event",
        30_000,
      );
      const later = ((await api.get('/api/proof/checkpoint', 'auditor')).body as { checkpoint: Signed }).checkpoint;
      expect(later.treeSize).to.be.greaterThan(first.treeSize);
      const inclusion = included.body as {
        leaf: string;
        leafIndex: number;
        treeSize: number;
        proof: string[];
        checkpoint: Signed;
      };
      // an auditor recomputes the leaf hash from the leaf text and checks the path to the signed root
      const hashes = inclusion.proof.map((h) => Buffer.from(h, 'hex'));
      const root = Buffer.from(inclusion.checkpoint.rootHash, 'hex');
      expect(verifyInclusion(leafHash(inclusion.leaf), inclusion.leafIndex, inclusion.treeSize, hashes, root)).to.equal(
        true,
      );
      const consistent = await api.get(
        `/api/proof/consistency?first=${first.treeSize}&second=${later.treeSize}`,
        'auditor',
      );
      expect(consistent.status, consistent.text).to.equal(200);
      const consistency = consistent.body as { proof: string[] };
      expect(
        verifyConsistency(
          first.treeSize,
          later.treeSize,
          Buffer.from(first.rootHash, 'hex'),
          Buffer.from(later.rootHash, 'hex'),
          consistency.proof.map((h) => Buffer.from(h, 'hex')),
        ),
      ).to.equal(true);
      const verified = (await api.get('/api/verify/log', 'auditor')).body as { ok: boolean; leafRecords: string };
      expect(verified).to.include({ ok: true, leafRecords: 'authenticated' });
      const badQuery = await api.get('/api/proof/consistency?first=abc', 'auditor');
      expect(badQuery.status).to.equal(400);
      expect((await api.get('/api/proof/checkpoint', 'operator')).status).to.equal(403);
    });
  });

  describe('operations and the document', () => {
    it('gives a request id on every answer, metrics, and an OpenAPI 3.1 document naming every route', async () => {
      const response = await api.get('/api/wip/orders/PO-E2E-1', 'analyst', { 'x-request-id': 'trace-me-1' });
      expect(response.headers.get('x-request-id')).to.equal('trace-me-1');
      const missing = await api.get('/api/wip/orders/NOPE', 'analyst');
      expect(missing.body).to.deep.include({ status: 404 });
      expect((missing.body as { requestId: string }).requestId).to.match(/^[0-9a-f-]{36}$/);
      const metrics = await api.get('/metrics', null);
      expect(metrics.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
      // labels in any order: their order means nothing to Prometheus
      const bucket = metrics.text
        .split('\n')
        .find(
          (line) =>
            line.startsWith('http_request_duration_seconds_bucket{') &&
            ['method="GET"', 'route="/api/wip/orders/:orderId"', 'le="0.005"'].every((label) => line.includes(label)),
        );
      expect(bucket, 'latency bucket of a route').to.match(/\} \d+$/);
      expect(metrics.text).to.match(/projection_lag_events\{projection="wip"\} \d+/);
      expect(metrics.text).to.match(/^event_store_events_total [1-9]\d*$/m);
      // the process itself, from prom-client's default metrics
      expect(metrics.text).to.match(/^process_resident_memory_bytes [1-9]\d*$/m);
      expect(metrics.text).to.match(/^nodejs_eventloop_lag_seconds \d/m);
      // the API documents need a login (API_DOCS_PUBLIC=true serves them to anyone)
      expect((await api.get('/openapi.json', null)).status).to.equal(401);
      expect((await api.get('/docs', null)).status).to.equal(401);
      const doc = (await api.get('/openapi.json', 'analyst')).body as {
        openapi: string;
        paths: Record<string, Record<string, unknown>>;
      };
      expect(doc.openapi).to.equal('3.1.0');
      const documented = Object.entries(doc.paths)
        .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`))
        .sort();
      const served = [
        ...ROUTES.map((r) => `${r.method} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`),
        'get /health',
        'get /ready',
        'get /metrics',
        'get /openapi.json',
        'get /asyncapi.json',
        'get /docs',
      ].sort();
      expect(documented).to.deep.equal(served);
      const docs = await api.get('/docs', 'operator');
      expect(docs.text).to.include('/api/orders/:orderId/release');
    });
  });
});
