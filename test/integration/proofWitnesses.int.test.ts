import { expect } from 'chai';
import { natsOptionsFromUrl } from '../../src/main/natsConnection';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { createSqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { startNotary } from '../../src/adapters/proof/notary';
import { openProofStore } from '../../src/adapters/proof/proofStore';
import { loadSigningKey } from '../../src/adapters/proof/signingKey';
import { httpWitness, jetStreamWitness, PROOF_STREAM } from '../../src/adapters/proof/witnesses';
import type { Checkpoint } from '../../src/app/proof/checkpoint';
import { createLogger } from '../../src/lib/logger';
import { counted, createTestCodec, uniqueStream } from '../support/events';
import { startNatsServer, type NatsServer } from '../support/natsServer';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';

describe('Checkpoint witnesses outside the database (real nats-server, a local HTTP receiver)', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-witness-');
  let server: NatsServer;
  let nc: NatsConnection;
  let http: Server;
  const received: Checkpoint[] = [];
  let refusals = 2;

  before(async () => {
    server = await startNatsServer();
    nc = await connect(natsOptionsFromUrl(server.url));
    // an HTTP witness that is down for its first two calls
    http = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (refusals > 0) {
          refusals -= 1;
          res.writeHead(503).end();
          return;
        }
        received.push(JSON.parse(body) as Checkpoint);
        res.writeHead(201).end();
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await nc.close();
    await server.stop();
    await new Promise((resolve) => http.close(resolve));
    temp.remove();
  });

  it('keeps every checkpoint in a JetStream stream that refuses deletes and purges, and retries the HTTP witness until it keeps it', async () => {
    const store = createSqliteEventStore({ path: join(temp.dir, 'events.db'), codec: createTestCodec() });
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/checkpoints`;
    const notary = await startNotary(
      {
        store,
        proof: openProofStore(join(temp.dir, 'proof.db')),
        key: loadSigningKey(join(temp.dir, 'proof-signing.key'), join(temp.dir, 'keys')),
        witnesses: [await jetStreamWitness(nc), httpWitness(url)],
        logger: createLogger('error'),
      },
      { everyEvents: 1_000_000, everyMs: 3_600_000, pollMs: 20, retryMs: 20 },
    );
    for (let i = 0; i < 5; i += 1) await store.append(uniqueStream(), [counted(i)]);
    const first = await notary.checkpointNow();
    await store.append(uniqueStream(), [counted(5)]);
    const second = await notary.checkpointNow();

    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(PROOF_STREAM);
    expect(info.config).to.include({ deny_delete: true, deny_purge: true });
    expect(info.state.messages).to.equal(2);
    const kept = await jsm.streams.getMessage(PROOF_STREAM, { seq: 1 });
    expect(kept.json<Checkpoint>().rootHash).to.equal(first?.rootHash);
    const deleting = await jsm.streams.deleteMessage(PROOF_STREAM, 1).then(
      () => 'deleted',
      (error: Error) => error.message,
    );
    expect(deleting).to.not.equal('deleted');
    const purging = await jsm.streams.purge(PROOF_STREAM).then(
      () => 'purged',
      (error: Error) => error.message,
    );
    expect(purging).to.not.equal('purged');
    expect((await jsm.streams.info(PROOF_STREAM)).state.messages).to.equal(2);

    // the HTTP witness answered 503 twice: both checkpoints reach it once the retries go through
    await waitFor(
      () => notary.pending().length === 0 && received.length === 2,
      'the HTTP witness to keep both',
      20_000,
    );
    expect(received.map((c) => c.treeSize)).to.deep.equal([first?.treeSize, second?.treeSize]);
    expect(received[1]).to.deep.equal(second);
    await notary.stop();
    await store.close();
  });

  it('adds nothing twice when writing leaves fails once, and starts again on the same proof.db', async () => {
    const dir = join(temp.dir, 'flaky');
    mkdirSync(dir);
    const store = createSqliteEventStore({ path: join(dir, 'events.db'), codec: createTestCodec() });
    for (let i = 0; i < 5; i += 1) await store.append(uniqueStream(), [counted(i)]);
    const proof = openProofStore(join(dir, 'proof.db'));
    let failures = 1;
    const flaky: typeof proof = {
      ...proof,
      appendLeaves: (records, frontier) => {
        if (failures-- > 0) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        proof.appendLeaves(records, frontier);
      },
    };
    const key = loadSigningKey(join(dir, 'proof-signing.key'), join(dir, 'keys'));
    const deps = { store, key, witnesses: [], logger: createLogger('error') };
    const options = { everyEvents: 1_000_000, everyMs: 3_600_000, pollMs: 20 };
    const notary = await startNotary({ ...deps, proof: flaky }, options);
    await waitFor(() => proof.leafCount() === 5, 'the leaves after the failed write', 20_000);
    expect((await notary.checkpointNow())?.treeSize).to.equal(5);
    await notary.stop();
    const again = await startNotary({ ...deps, proof: openProofStore(join(dir, 'proof.db')) }, options);
    expect(again.latest()?.treeSize).to.equal(5);
    await again.stop();
    await store.close();
  });

  it('forgets the checkpoints of a witness no longer configured instead of keeping them pending for ever', async () => {
    const dir = join(temp.dir, 'removed');
    mkdirSync(dir);
    const store = createSqliteEventStore({ path: join(dir, 'events.db'), codec: createTestCodec() });
    await store.append(uniqueStream(), [counted(1)]);
    const key = loadSigningKey(join(dir, 'proof-signing.key'), join(dir, 'keys'));
    const down = { name: 'http:https://gone.example', publish: () => Promise.reject(new Error('unreachable')) };
    const deps = { store, key, logger: createLogger('error') };
    const options = { everyEvents: 1_000_000, everyMs: 3_600_000, pollMs: 20 };
    const first = await startNotary(
      { ...deps, proof: openProofStore(join(dir, 'proof.db')), witnesses: [down] },
      options,
    );
    await first.checkpointNow();
    expect(first.pending().map((p) => p.witness)).to.deep.equal(['http:https://gone.example']);
    await first.stop();
    const again = await startNotary({ ...deps, proof: openProofStore(join(dir, 'proof.db')), witnesses: [] }, options);
    expect(again.pending()).to.deep.equal([]);
    await again.stop();
    await store.close();
  });
});
