import { expect } from 'chai';
import { join } from 'node:path';
import { client, makeKeys } from '../support/apiClient';
import { startBackboneProcess, type BackboneProcess } from '../support/backboneProcess';
import { orderSpec } from '../support/fixtures';
import { makeTempDir } from '../support/tmp';
import { byScale, figure } from './figures';

const CLIENTS = 50;
const REPORTS = byScale(10, 40);

describe('reliability: 50 concurrent clients acting on one order', function () {
  const temp = makeTempDir('mes-reliability-clients-');
  const keys = makeKeys(temp.dir);
  let backbone: BackboneProcess;
  after(async () => {
    await backbone?.stop('SIGTERM');
    temp.remove();
  });

  it('loses no update: every report counted once; a stale If-Match is a 412, without one the backbone retries', async () => {
    backbone = await startBackboneProcess({
      DATA_DIR: join(temp.dir, 'data'),
      API_KEYS_FILE: keys.file,
      LOG_LEVEL: 'error',
    });
    const api = client(backbone.baseUrl, keys.tokens);
    const { source: _source, ...spec } = orderSpec({ quantity: 1_000_000 });
    expect((await api.call('POST', '/api/orders', { body: { orderId: 'PO-C', ...spec } })).status).to.equal(201);
    expect((await api.call('POST', '/api/orders/PO-C/release', { body: {} })).status).to.equal(200);
    expect((await api.call('POST', '/api/orders/PO-C/operations/010/start', { body: {} })).status).to.equal(200);

    const statuses = new Map<number, number>();
    const note = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
    let acknowledged = 0;
    // even clients read the order's revision and send If-Match (a conflict is theirs to retry);
    // odd ones send without it (the backbone retries a conflict itself)
    const clientRun = async (n: number): Promise<void> => {
      for (let k = 0; k < REPORTS; k += 1) {
        for (let attempt = 0; ; attempt += 1) {
          if (attempt > 200) throw new Error(`client ${n} never got report ${k} through`);
          const headers: Record<string, string> = {};
          if (n % 2 === 0) {
            const state = await api.call('GET', '/api/streams/order-PO-C/state');
            note(state.status);
            headers['if-match'] = state.headers.get('etag') as string;
          }
          const answer = await api.call('POST', '/api/orders/PO-C/operations/010/report', {
            body: { good: 1, scrap: 0, rework: 0 },
            headers,
          });
          note(answer.status);
          if (answer.status === 200) {
            acknowledged += 1;
            break;
          }
          if (answer.status !== 412) throw new Error(`client ${n}: ${answer.status} ${answer.text}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, n) => clientRun(n)));

    const history = await api.call('GET', '/api/streams/order-PO-C/events');
    const reports = (history.body as { type: string; data: { good: number } }[]).filter(
      (e) => e.type === 'OperationQuantityReported',
    );
    expect(acknowledged).to.equal(CLIENTS * REPORTS);
    expect(reports, 'one event per acknowledged report').to.have.length(CLIENTS * REPORTS);
    const state = (await api.call('GET', '/api/streams/order-PO-C/state')).body as {
      state: { operations: { good: number }[] };
    };
    expect(state.state.operations[0]?.good, 'the order’s count').to.equal(CLIENTS * REPORTS);
    expect([...statuses.keys()].sort(), 'only 200s and 412s').to.deep.equal([200, 412].filter((s) => statuses.has(s)));
    figure('concurrent clients on one order', CLIENTS);
    figure('reports acknowledged and counted', acknowledged);
    figure('stale If-Match answered 412 (then retried)', statuses.get(412) ?? 0);
  });
});
