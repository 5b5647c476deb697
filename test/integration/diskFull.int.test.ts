import { expect } from 'chai';
import type Database from 'better-sqlite3';
import fs from 'node:fs';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { createLogger } from '../../src/lib/logger';
import { startBackbone, type Backbone } from '../../src/main/backbone';
import { loadConfig } from '../../src/main/config';
import { client, makeKeys } from '../support/apiClient';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';

const ORDER = (orderId: string) => ({
  orderId,
  product: 'SHAFT',
  quantity: 10,
  unit: 'pcs',
  customer: 'ACME',
  priority: 2,
  dueDate: '2026-12-20T00:00:00+08:00',
  routing: {
    overlap: false,
    operations: [
      {
        operationId: '010',
        code: 'TURN',
        workCenter: 'WC-FULL',
        standardMinutesPerUnit: 2,
        setupMinutes: 10,
        inspectionRequired: false,
        materials: [],
      },
    ],
  },
});

/**
 * A full disk, made real for one SQLite file: `max_page_count` caps the file at its size now, so
 * the next write that needs a page fails with SQLITE_FULL as it would on a full disk.
 */
const fill = (db: Database.Database): number => {
  const pages = db.pragma('page_count', { simple: true }) as number;
  const before = db.pragma('max_page_count', { simple: true }) as number;
  db.pragma(`max_page_count = ${pages}`);
  return before;
};

describe('A full or failing disk: 503 (with Retry-After when full), nothing half-written, the read models resume by themselves', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-full-');
  let backbone: Backbone;
  let api: ReturnType<typeof client>;

  before(async () => {
    const keys = makeKeys(temp.dir);
    const schemas = loadSchemaRegistry();
    const config = loadConfig(
      { DATA_DIR: temp.dir, PORT: '0', HOST: '127.0.0.1', API_KEYS_FILE: keys.file, LOG_LEVEL: 'error' },
      schemas,
    );
    backbone = await startBackbone(config, schemas, createLogger('error'), { overdueIntervalMs: 0 });
    api = client(`http://127.0.0.1:${backbone.port}`, keys.tokens);
  });
  after(async () => {
    await backbone.close();
    temp.remove();
  });

  it('answers an append refused for lack of space with 503 and Retry-After, and takes it once space is back', async () => {
    const db = (backbone.store as unknown as { db: Database.Database }).db;
    // fill the pages the file has, then cap it: the next commits cannot grow it
    for (let i = 0; i < 50; i += 1)
      expect((await api.post('/api/orders', ORDER(`PO-FILL-${i}`), 'planner')).status).to.equal(201);
    const limit = fill(db);
    let refused;
    for (let i = 0; i < 200 && !refused; i += 1) {
      const answer = await api.post('/api/orders', ORDER(`PO-FULL-${i}`), 'planner');
      if (answer.status !== 201) refused = { answer, orderId: `PO-FULL-${i}` };
    }
    expect(refused?.answer.status).to.equal(503);
    expect(refused?.answer.headers.get('retry-after')).to.equal('30');
    expect((refused?.answer.body as { type: string }).type).to.match(/storage-full$/);
    db.pragma(`max_page_count = ${limit}`);
    // nothing of the refused command was written
    expect((await api.get(`/api/streams/order-${refused?.orderId}/events`, 'auditor')).status).to.equal(404);
    expect((await api.post('/api/orders', ORDER(refused?.orderId as string), 'planner')).status).to.equal(201);
  });

  it('holds the read models while their file is full (/ready 503), and resumes them when space returns', async () => {
    const readDb = (backbone.readStore as unknown as { db?: Database.Database }).db;
    expect(readDb, 'the SQLite read store exposes its file').to.not.equal(undefined);
    const limit = fill(readDb as Database.Database);
    for (let i = 0; i < 30; i += 1) await api.post('/api/orders', ORDER(`PO-LATER-${i}`), 'planner');
    const degraded = await waitFor(
      async () => {
        const ready = await api.get('/ready', null);
        return ready.status === 503 && ready;
      },
      '/ready to report the stalled read models',
      30_000,
    );
    expect(JSON.stringify(degraded.body)).to.include('stalled');
    (readDb as Database.Database).pragma(`max_page_count = ${limit}`);
    await waitFor(async () => (await api.get('/ready', null)).status === 200, 'the read models to resume', 40_000);
    const order = await api.get('/api/wip/orders/PO-LATER-29', 'planner');
    expect(order.status).to.equal(200);
  });

  // last: a failed sync leaves the log refusing appends until a restart
  it('answers an append whose sync the disk failed with 503 storage-failed, and every later one too', async () => {
    const real = fs.fdatasync;
    fs.fdatasync = ((_fd: number, done: fs.NoParamCallback) =>
      done(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }))) as unknown as typeof fs.fdatasync;
    try {
      const failed = await api.post('/api/orders', ORDER('PO-EIO-1'), 'planner');
      expect(failed.status).to.equal(503);
      expect((failed.body as { type: string }).type).to.match(/storage-failed$/);
    } finally {
      fs.fdatasync = real;
    }
    const later = await api.post('/api/orders', ORDER('PO-EIO-2'), 'planner');
    expect(later.status).to.equal(503);
    expect((later.body as { detail: string }).detail).to.include('restarted');
  });
});
