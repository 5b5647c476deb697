import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readB2mmlSchedule } from '../../src/adapters/erp/b2mml';
import { createSqliteEventStore, type SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { startNotary, type Notary } from '../../src/adapters/proof/notary';
import { openProofStore, type ProofStore } from '../../src/adapters/proof/proofStore';
import { loadSigningKey, trustedKeys } from '../../src/adapters/proof/signingKey';
import { fileWitness, readWitnessFile } from '../../src/adapters/proof/witnesses';
import { createSqliteReadStore } from '../../src/adapters/readstore/sqliteReadStore';
import { createApi } from '../../src/api/app';
import { hashToken } from '../../src/api/auth';
import { createIdempotencyStore } from '../../src/api/idempotency';
import { createCommandHandler } from '../../src/app/commandHandler';
import type { ProofReader } from '../../src/app/proof/port';
import type { ReadStore } from '../../src/app/readStore';
import { createScanService } from '../../src/app/scans';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { DEFAULT_EMISSION_FACTOR, DEFAULT_SHIFTS } from '../../src/app/plant';
import { createLogger } from '../../src/lib/logger';
import { loadConfig } from '../../src/main/config';
import { startSecurity, type Security } from '../../src/main/security';
import { startReadModels, type ReadModelsRuntime } from '../../src/projections/manager';
import { createReadModelQueries } from '../../src/projections/queries';
import { counted, createTestCodec, uniqueStream } from '../support/events';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';

const PLANT = { timeZone: 'Asia/Shanghai', shifts: DEFAULT_SHIFTS, emissionFactors: [DEFAULT_EMISSION_FACTOR] };
// the route's wait, shortened from its 10 s default so the test does not sit through it
const CATCH_UP_MS = 300;

describe('/api/verify/log when the notary cannot read the log to its head', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-proof-behind-');
  const token = `test_auditor_${randomBytes(12).toString('hex')}`;
  const witnessFile = join(temp.dir, 'witness.jsonl');
  let store: SqliteEventStore;
  let readStore: ReadStore;
  let readModels: ReadModelsRuntime;
  let idempotency: ReturnType<typeof createIdempotencyStore>;
  let security: Security;
  let server: Server;
  let baseUrl: string;
  let proof: ProofStore;
  let notary: Notary;
  // proof.db's disk is full while this is true: the notary cannot write its leaves, so it stays behind
  let diskFull = false;
  let failedWrites = 0;

  before(async () => {
    const schemas = loadSchemaRegistry();
    const logger = createLogger('error');
    store = createSqliteEventStore({ path: join(temp.dir, 'events.db'), codec: createTestCodec(), pollIntervalMs: 20 });
    for (let i = 0; i < 3; i += 1) await store.append(uniqueStream(), [counted(i)]);
    proof = openProofStore(join(temp.dir, 'proof.db'));
    const full: ProofStore = {
      ...proof,
      appendLeaves: (records, frontier) => {
        if (diskFull) {
          failedWrites += 1;
          throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        }
        proof.appendLeaves(records, frontier);
      },
    };
    const keysDir = join(temp.dir, 'proof-keys');
    const key = loadSigningKey(join(temp.dir, 'proof-signing.key'), keysDir);
    notary = await startNotary(
      { store, proof: full, key, witnesses: [fileWitness(witnessFile)], logger },
      { everyEvents: 1_000_000, everyMs: 3_600_000, pollMs: 20 },
    );
    const reader: ProofReader = {
      latest: () => notary.latest(),
      checkpointAt: (treeSize) => proof.checkpointAt(treeSize),
      leafOfEvent: (eventId) => proof.leafOfEvent(eventId),
      leafSource: proof.leafSource,
      leafRecords: proof.leafRecords,
      witnessed: async () => ({ source: witnessFile, checkpoints: readWitnessFile(witnessFile) }),
      keys: () => trustedKeys(keysDir),
      pending: () => notary.pending(),
      caughtUp: () => notary.caughtUp(),
    };
    readStore = createSqliteReadStore(join(temp.dir, 'readmodels.db'));
    readModels = await startReadModels({ store, readStore, logger }, []);
    idempotency = createIdempotencyStore(join(temp.dir, 'api.db'));
    const keyFile = join(temp.dir, 'api-keys.json');
    writeFileSync(keyFile, JSON.stringify([{ name: 'auditor-1', roles: ['auditor'], sha256: hashToken(token) }]));
    security = await startSecurity({
      config: loadConfig({ DATA_DIR: temp.dir, API_KEYS_FILE: keyFile }, schemas),
      store,
      schemas,
      logger,
    });
    const cardKey = randomBytes(32);
    const commands = createCommandHandler({ store });
    const api = createApi({
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
      proof: reader,
      proofCatchUpMs: CATCH_UP_MS,
    });
    server = await new Promise<Server>((resolve) => {
      const listening = api.app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    diskFull = false;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await notary.stop();
    idempotency.close();
    await security.close();
    await readModels.stop();
    await readStore.close();
    await store.close();
    temp.remove();
  });

  const verifyLog = async () => {
    const response = await fetch(`${baseUrl}/api/verify/log`, { headers: { authorization: `Bearer ${token}` } });
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      body: (await response.json()) as Record<string, unknown>,
    };
  };

  it('answers 409 proof-behind after the wait instead of hanging, and verifies again once the notary catches up', async () => {
    // the security trail's start events are in the log too
    const signed = (await notary.checkpointNow())?.treeSize ?? 0;
    expect(signed).to.be.at.least(3);
    expect((await verifyLog()).body).to.include({ ok: true });

    // the verification itself is a traceability read, recorded in the security trail: let the notary have it
    await notary.caughtUp();
    const leaves = proof.leafCount();
    diskFull = true;
    for (let i = 0; i < 2; i += 1) await store.append(uniqueStream(), [counted(i)]);
    await waitFor(() => failedWrites > 0, 'the notary to fail writing the new leaves');
    const started = Date.now();
    const behind = await verifyLog();
    expect(behind.status).to.equal(409);
    expect(behind.type).to.match(/^application\/problem\+json/);
    expect(behind.body).to.include({ rule: 'proof-behind' });
    expect(String(behind.body['detail'])).to.match(/not read the log to its head/);
    // it waited for the notary before giving up, not refused at once
    expect(Date.now() - started).to.be.at.least(CATCH_UP_MS - 20);
    expect(proof.leafCount(), 'leaves while the disk is full').to.equal(leaves);

    diskFull = false;
    await notary.caughtUp();
    expect(proof.leafCount(), 'leaves once there is room').to.be.at.least(leaves + 2);
    const again = await verifyLog();
    expect(again.status).to.equal(200);
    expect(again.body).to.include({ ok: true });
  });
});
