import { expect } from 'chai';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readB2mmlSchedule } from '../../src/adapters/erp/b2mml';
import { createSqliteEventStore, type SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { createSqliteReadStore } from '../../src/adapters/readstore/sqliteReadStore';
import { createApi } from '../../src/api/app';
import { hashToken } from '../../src/api/auth';
import { createIdempotencyStore } from '../../src/api/idempotency';
import { createCommandHandler } from '../../src/app/commandHandler';
import { eventJson, readPages, type RecordedEvent } from '../../src/app/eventStore';
import type { ReadStore } from '../../src/app/readStore';
import { createScanService } from '../../src/app/scans';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { DEFAULT_EMISSION_FACTOR, DEFAULT_SHIFTS } from '../../src/app/plant';
import { isSecurityStream } from '../../src/domain/security';
import { createLogger } from '../../src/lib/logger';
import { loadConfig } from '../../src/main/config';
import { startSecurity, type Security } from '../../src/main/security';
import { startReadModels, type ReadModelsRuntime } from '../../src/projections/manager';
import { createReadModelQueries } from '../../src/projections/queries';
import { counted, createTestCodec, meta, uniqueStream } from '../support/events';
import { makeTempDir } from '../support/tmp';

const PLANT = { timeZone: 'Asia/Shanghai', shifts: DEFAULT_SHIFTS, emissionFactors: [DEFAULT_EMISSION_FACTOR] };

type Traced = { id: string; streamId: string; position: string; data: { n: number } };
type Problem = { status: number; errors?: Array<{ path: string }> };

describe('traceability routes at scale (HTTP, SQLite)', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-trace-routes-');
  const token = `test_auditor_${randomBytes(12).toString('hex')}`;
  let store: SqliteEventStore;
  let readStore: ReadStore;
  let readModels: ReadModelsRuntime;
  let idempotency: ReturnType<typeof createIdempotencyStore>;
  let security: Security;
  let server: Server;
  let baseUrl: string;
  let proxied: Server;
  let proxiedUrl: string;

  before(async () => {
    const schemas = loadSchemaRegistry();
    store = createSqliteEventStore({ path: join(temp.dir, 'events.db'), codec: createTestCodec() });
    readStore = createSqliteReadStore(join(temp.dir, 'readmodels.db'));
    const logger = createLogger('error');
    readModels = await startReadModels({ store, readStore, logger }, []);
    idempotency = createIdempotencyStore(join(temp.dir, 'api.db'));
    const cardKey = randomBytes(32);
    const commands = createCommandHandler({ store });
    const keyFile = join(temp.dir, 'api-keys.json');
    writeFileSync(keyFile, JSON.stringify([{ name: 'auditor-1', roles: ['auditor'], sha256: hashToken(token) }]));
    security = await startSecurity({
      config: loadConfig({ DATA_DIR: temp.dir, API_KEYS_FILE: keyFile }, schemas),
      store,
      schemas,
      logger,
    });
    const apiDeps = {
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
    };
    const listen = async (app: ReturnType<typeof createApi>['app']) => {
      const listening = await new Promise<Server>((resolve) => {
        const started: Server = app.listen(0, '127.0.0.1', () => resolve(started));
      });
      return { listening, url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}` };
    };
    ({ listening: server, url: baseUrl } = await listen(createApi(apiDeps).app));
    // the same API behind a TLS-terminating proxy on this host (TRUST_PROXY=loopback)
    ({ listening: proxied, url: proxiedUrl } = await listen(createApi({ ...apiDeps, trustProxy: 'loopback' }).app));
  });
  after(async () => {
    for (const s of [server, proxied]) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
    idempotency.close();
    await security.close();
    await readModels.stop();
    await readStore.close();
    await store.close();
    temp.remove();
  });

  const get = (path: string) => fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const nextOf = (response: Response): string | undefined =>
    /^<([^>]+)>; rel="next"$/.exec(response.headers.get('link') ?? '')?.[1];

  it("records a traceability read's address: the connection's, whatever X-Forwarded-For claims, unless a proxy is trusted", async () => {
    const streamId = uniqueStream('address');
    const claimed = '203.0.113.9';
    await store.append(streamId, [counted(1)]);
    const addresses = async (url: string): Promise<unknown[]> => {
      const response = await fetch(`${url}/api/streams/${streamId}/events`, {
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': claimed },
      });
      expect(response.status).to.equal(200);
      const reads: unknown[] = [];
      for await (const page of readPages(store))
        for (const e of page.events)
          if (
            e.type === 'TraceabilityRead' &&
            (e.data as { params?: { streamId?: string } }).params?.streamId === streamId
          )
            reads.push((e.data as { address: string }).address);
      return reads;
    };
    expect(await addresses(baseUrl)).to.deep.equal(['127.0.0.1']);
    expect(await addresses(proxiedUrl)).to.deep.equal(['127.0.0.1', claimed]);
  });

  describe('GET /api/correlations/:id, a page at a time', () => {
    const correlationId = `device:M-${randomUUID().slice(0, 8)}`;
    /** What the correlation caused on business streams, in log order. */
    let business: string[] = [];

    before(async () => {
      const caused = (n: number) => ({ ...counted(n), metadata: meta({ correlationId }) });
      const streams = [uniqueStream(), uniqueStream(), uniqueStream()];
      // 2,400 events over three streams, with the security trail's events of the same correlation between them
      for (let batch = 0; batch < 24; batch += 1) {
        await store.append(
          streams[batch % 3] as string,
          Array.from({ length: 100 }, (_, i) => caused(batch * 100 + i)),
        );
        if (batch % 5 === 0) await store.append(uniqueStream('person'), [caused(9_000), caused(9_001)]);
      }
      business = (await store.readByCorrelation(correlationId))
        .filter((e) => !e.streamId.startsWith('person-'))
        .map((e) => e.id);
      expect(business).to.have.length(2400);
    });

    it('answers at most 1,000 events and links the next page, until the correlation’s business events are all read, in log order', async () => {
      const pages: Traced[][] = [];
      for (let next: string | undefined = `/api/correlations/${encodeURIComponent(correlationId)}`; next;) {
        const response = await get(next);
        expect(response.status, next).to.equal(200);
        pages.push((await response.json()) as Traced[]);
        next = nextOf(response);
      }
      expect(pages.map((p) => p.length)).to.deep.equal([1000, 1000, 400]);
      expect(pages.flat().map((e) => e.id)).to.deep.equal(business);
      expect(pages.flat().some((e) => e.streamId.startsWith('person-'))).to.equal(false);
    });

    it('pages by the limit asked for, the last page full and without a next link when nothing follows', async () => {
      const seen: string[] = [];
      let pages = 0;
      for (let next: string | undefined = `/api/correlations/${encodeURIComponent(correlationId)}?limit=800`; next;) {
        const response = await get(next);
        const events = (await response.json()) as Traced[];
        expect(events).to.have.length(800);
        seen.push(...events.map((e) => e.id));
        next = nextOf(response);
        pages += 1;
      }
      expect(pages).to.equal(3);
      expect(seen).to.deep.equal(business);
    });

    it('answers a small correlation whole, with no Link header', async () => {
      const small = `corr-${randomUUID()}`;
      await store.append(
        uniqueStream(),
        [1, 2, 3].map((n) => ({ ...counted(n), metadata: meta({ correlationId: small }) })),
      );
      const response = await get(`/api/correlations/${small}`);
      expect(((await response.json()) as Traced[]).map((e) => e.data.n)).to.deep.equal([1, 2, 3]);
      expect(response.headers.get('link')).to.equal(null);
      expect((await get(`/api/correlations/corr-${randomUUID()}`)).status).to.equal(404);
    });

    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
      ['limit=', 'limit'],
      ['cursor=abc', 'cursor'],
      ['cursor=', 'cursor'],
      // a position of another store's shape (EventStoreDB's commit/prepare)
      ['cursor=12/34', 'cursor'],
      ['after=12', 'after'],
    ] as const) {
      it(`refuses ?${query} with a problem naming ${field} (400)`, async () => {
        const response = await get(`/api/correlations/${encodeURIComponent(correlationId)}?${query}`);
        expect(response.status).to.equal(400);
        expect(response.headers.get('content-type')).to.match(/^application\/problem\+json/);
        const problem = (await response.json()) as Problem;
        expect(problem.errors?.map((e) => e.path)).to.include(`/query/${field}`);
      });
    }
  });
  describe('GET /api/export, from the stored text', () => {
    /** How the export wrote an event when it decoded and encoded each one: the route's view as JSON. */
    const decoded = eventJson;
    /** Every business event of the log, upcast, as readAll gives it. */
    const business = async (category?: string) => {
      const all: RecordedEvent[] = [];
      for await (const page of readPages(store)) all.push(...page.events);
      return all.filter(
        (e) => !isSecurityStream(e.streamId) && (category === undefined || e.streamId.startsWith(`${category}-`)),
      );
    };

    before(async () => {
      // an old version an upcaster changes (TestLabelled v1 gains its tags), and the security trail's events
      const labelled = (label: string, schemaVersion: number) => ({
        id: randomUUID(),
        type: 'TestLabelled',
        data: schemaVersion === 1 ? { label } : { label, tags: ['x'] },
        metadata: meta({ schemaVersion }),
      });
      await store.append(uniqueStream(), [
        labelled('old', 1),
        labelled('new', 2),
        counted(1, { note: 'é "quoted" \u2028' }),
      ]);
      await store.append(uniqueStream('person'), [counted(2)]);
      await store.append(uniqueStream('lot'), [counted(3), counted(4)]);
    });

    it('writes every business event as the decoded export did, byte for byte, old versions upcast', async () => {
      const response = await get('/api/export');
      expect(response.headers.get('content-type')).to.match(/^application\/x-ndjson/);
      const lines = (await response.text()).split('\n');
      expect(lines.pop()).to.equal('');
      expect(lines).to.deep.equal((await business()).map(decoded));
      const old = lines.map((l) => JSON.parse(l) as RecordedEvent).find((e) => e.data['label'] === 'old');
      expect(old?.data).to.deep.equal({ label: 'old', tags: [] });
      expect(old?.metadata.schemaVersion).to.equal(2);
    });

    it('keeps to a category and a time range', async () => {
      const lots = await business('lot');
      const text = async (path: string) => (await (await get(path)).text()).split('\n').filter(Boolean);
      expect(await text('/api/export?category=lot')).to.deep.equal(lots.map(decoded));
      const to = lots[0]?.recordedAt as string;
      expect(await text(`/api/export?category=lot&to=${encodeURIComponent(to)}`)).to.deep.equal(
        lots.filter((e) => e.recordedAt <= to).map(decoded),
      );
      expect((await get('/api/export?category=person')).status).to.equal(403);
    });
  });
});
