import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readB2mmlSchedule } from '../../src/adapters/erp/b2mml';
import { createSqliteEventStore, type SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { createSqliteReadStore } from '../../src/adapters/readstore/sqliteReadStore';
import { createApi, type Api } from '../../src/api/app';
import { hashToken } from '../../src/api/auth';
import { createIdempotencyStore } from '../../src/api/idempotency';
import { createCommandHandler } from '../../src/app/commandHandler';
import type { ReadStore } from '../../src/app/readStore';
import { createScanService } from '../../src/app/scans';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { createLogger } from '../../src/lib/logger';
import { loadConfig } from '../../src/main/config';
import { startSecurity, type Security } from '../../src/main/security';
import { startReadModels, type ReadModelsRuntime } from '../../src/projections/manager';
import { createReadModelQueries } from '../../src/projections/queries';
import { DEFAULT_EMISSION_FACTOR, DEFAULT_SHIFTS } from '../../src/app/plant';
import { counted, createTestCodec, uniqueStream } from '../support/events';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';

const PLANT = { timeZone: 'Asia/Shanghai', shifts: DEFAULT_SHIFTS, emissionFactors: [DEFAULT_EMISSION_FACTOR] };

describe('live streams and exports end when the client goes away', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-streams-');
  const token = `test_auditor_${randomBytes(12).toString('hex')}`;
  let store: SqliteEventStore;
  let readStore: ReadStore;
  let readModels: ReadModelsRuntime;
  let idempotency: ReturnType<typeof createIdempotencyStore>;
  let api: Api;
  let security: Security;
  let server: Server;
  let baseUrl: string;
  // the server's side of each request, to see when a handler is held by backpressure
  const responses = new Map<string, ServerResponse>();

  before(async () => {
    const schemas = loadSchemaRegistry();
    store = createSqliteEventStore({ path: join(temp.dir, 'events.db'), codec: createTestCodec(), pollIntervalMs: 20 });
    // about 26 MB as NDJSON or SSE: far more than the socket buffers hold, so a client that does not
    // read leaves the server waiting for drain
    const note = 'x'.repeat(4_000);
    for (let batch = 0; batch < 12; batch += 1)
      await store.append(
        uniqueStream(),
        Array.from({ length: 500 }, (_, n) => counted(n, { note })),
      );
    readStore = createSqliteReadStore(join(temp.dir, 'readmodels.db'));
    const logger = createLogger('error');
    readModels = await startReadModels({ store, readStore, logger }, []);
    idempotency = createIdempotencyStore(join(temp.dir, 'api.db'));
    const cardKey = randomBytes(32);
    const commands = createCommandHandler({ store });
    // the auditor's key comes in through the key file, as a plant's integration keys do
    const keyFile = join(temp.dir, 'api-keys.json');
    writeFileSync(keyFile, JSON.stringify([{ name: 'auditor-1', roles: ['auditor'], sha256: hashToken(token) }]));
    security = await startSecurity({
      config: loadConfig({ DATA_DIR: temp.dir, API_KEYS_FILE: keyFile }, schemas),
      store,
      schemas,
      logger,
    });
    api = createApi({
      store,
      logger,
      readModels,
      queries: createReadModelQueries(readStore, PLANT),
      commands,
      scans: createScanService({ commands, cardKey }),
      cardKey,
      schemas,
      security: security.api,
      idempotency,
      readSchedule: readB2mmlSchedule(schemas),
    });
    server = await new Promise<Server>((resolve) => {
      const listening = api.app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    server.on('request', (req: { url: string }, res: ServerResponse) => responses.set(req.url, res));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    idempotency.close();
    await security.close();
    await readModels.stop();
    await readStore.close();
    await store.close();
    temp.remove();
  });

  /** Opens a GET and reads nothing of its body. */
  const openUnread = (path: string) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const request = get(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
        res.pause();
        resolve(res);
      });
      request.once('error', reject);
    });

  it('an NDJSON export and an SSE stream held by backpressure return when their client disconnects', async () => {
    const subscriptionsBefore = store.openSubscriptions;
    const exportPath = '/api/export';
    const ssePath = '/api/events/stream?category=test';
    const clients = [await openUnread(exportPath), await openUnread(ssePath)];
    expect(clients.map((c) => c.statusCode)).to.deep.equal([200, 200]);
    await waitFor(
      () => [exportPath, ssePath].every((path) => responses.get(path)?.writableNeedDrain),
      'both handlers to wait for drain',
    );
    expect(api.handlersInFlight, 'handlers in flight').to.equal(2);
    expect(store.openSubscriptions, 'the SSE subscription').to.equal(subscriptionsBefore + 1);
    for (const client of clients) client.socket.destroy();
    await waitFor(() => api.handlersInFlight === 0, 'no handler left in flight');
    await waitFor(() => store.openSubscriptions === subscriptionsBefore, 'the SSE subscription closed');
  });

  it('a shutdown ends an SSE stream held by backpressure', async () => {
    const subscriptionsBefore = store.openSubscriptions;
    const path = '/api/events/stream?type=TestCounted';
    const client = await openUnread(path);
    await waitFor(() => responses.get(path)?.writableNeedDrain, 'the handler to wait for drain');
    expect(store.openSubscriptions).to.equal(subscriptionsBefore + 1);
    api.endStreams();
    await waitFor(() => api.handlersInFlight === 0, 'no handler left in flight');
    expect(store.openSubscriptions).to.equal(subscriptionsBefore);
    client.socket.destroy();
  });

  it('ends a live SSE stream whose client stopped reading once 1,000 events wait for it; a reading stream gets them all; Last-Event-ID resumes the ended one', async function () {
    this.timeout(180_000);
    const head = await store.headPosition();
    const path = `/api/events/stream?after=${head}&type=TestCounted`;
    const ids = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => m[1] as string);
    const slow = await openUnread(path);
    const fast = await openUnread(`${path}&category=test`);
    let fastText = '';
    fast.on('data', (chunk: Buffer) => (fastText += chunk.toString()));
    fast.resume();
    // about 25 MB: more than the sockets hold, so the stream that is not read falls behind
    const note = 'y'.repeat(4_000);
    for (let batch = 0; batch < 60; batch += 1) {
      await store.append(
        uniqueStream(),
        Array.from({ length: 100 }, (_, n) => counted(n, { note })),
      );
      // the reading client keeps up (on a busy machine it could otherwise fall 1,000 behind as well)
      await waitFor(() => ids(fastText).length >= (batch + 1) * 100, 'the reading stream to keep up', 60_000);
    }
    const written = (
      await store.readAll({ after: head as string, maxCount: 10_000, filter: { eventTypes: ['TestCounted'] } })
    ).events.map((e) => e.position);
    await waitFor(() => ids(fastText).length >= 6_000, 'the reading stream to get all 6,000 events', 60_000);
    expect(ids(fastText)).to.deep.equal(written);
    // the one not read was let go: its handler returned while the other still runs
    await waitFor(() => api.handlersInFlight === 1, 'the stream not read to end');
    let slowText = '';
    slow.on('data', (chunk: Buffer) => (slowText += chunk.toString()));
    slow.resume();
    await new Promise((resolve) => slow.once('end', resolve));
    expect(slowText).to.match(/: too far behind; reconnect with Last-Event-ID\n\n$/);
    const before = ids(slowText);
    expect(before.length).to.be.below(6_000);
    const resumed = await new Promise<IncomingMessage>((resolve, reject) => {
      const request = get(
        `${baseUrl}/api/events/stream?type=TestCounted`,
        {
          headers: { authorization: `Bearer ${token}`, 'last-event-id': before[before.length - 1] ?? head },
        },
        resolve,
      );
      request.once('error', reject);
    });
    let resumedText = '';
    resumed.on('data', (chunk: Buffer) => (resumedText += chunk.toString()));
    await waitFor(
      () => before.length + ids(resumedText).length >= 6_000,
      'the resumed stream to bring the rest',
      60_000,
    );
    expect([...before, ...ids(resumedText)], 'no gap and no duplicate across the reconnection').to.deep.equal(written);
    for (const client of [fast, resumed]) client.socket.destroy();
    await waitFor(() => api.handlersInFlight === 0, 'no handler left in flight');
  });

  it('an SSE stream waiting for new events closes its subscription when the client disconnects', async () => {
    const subscriptionsBefore = store.openSubscriptions;
    const head = await store.headPosition();
    const path = `/api/events/stream?after=${head}`;
    const client = await openUnread(path);
    await waitFor(() => store.openSubscriptions === subscriptionsBefore + 1, 'the SSE subscription');
    expect(api.handlersInFlight).to.equal(1);
    client.socket.destroy();
    await waitFor(() => api.handlersInFlight === 0, 'no handler left in flight');
    expect(store.openSubscriptions).to.equal(subscriptionsBefore);
  });
});
