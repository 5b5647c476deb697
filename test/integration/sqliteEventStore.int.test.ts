import { expect } from 'chai';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSqliteEventStore, type SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { HOT_STREAMS, type RecordedEvent } from '../../src/app/eventStore';
import { EventIdConflictError, WrongExpectedRevisionError } from '../../src/domain/errors';
import { rejection } from '../support/assert';
import { counted, createTestCodec, meta, uniqueStream } from '../support/events';
import { makeTempDir } from '../support/tmp';

describe('SQLite event store (embedded specifics)', () => {
  const temp = makeTempDir('mes-sqlite-');
  const open = (name: string, pollIntervalMs = 50): SqliteEventStore =>
    createSqliteEventStore({ path: join(temp.dir, name), codec: createTestCodec(), pollIntervalMs });
  after(() => temp.remove());

  describe('durability: the WAL synced off the event loop', () => {
    /** fdatasync held until the test lets it go (or fails it), as a stalled or failing disk would. */
    const holdSyncs = () => {
      const real = fs.fdatasync;
      const held: Array<() => void> = [];
      let failWith: NodeJS.ErrnoException | undefined;
      // the store calls fs.fdatasync through the module's own object, which this replaces
      fs.fdatasync = ((fd: number, done: fs.NoParamCallback) =>
        held.push(() => (failWith ? done(failWith) : real(fd, done)))) as unknown as typeof fs.fdatasync;
      return {
        held,
        releaseAll: () => held.splice(0).forEach((release) => release()),
        fail: (error: NodeJS.ErrnoException) => (failWith = error),
        restore: () => (fs.fdatasync = real),
      };
    };
    const settledYet = (promise: Promise<unknown>) => {
      const state = { settled: false };
      promise.then(
        () => (state.settled = true),
        () => (state.settled = true),
      );
      return state;
    };
    const storedRows = (store: SqliteEventStore): number =>
      (store.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    const until = async (condition: () => boolean): Promise<void> => {
      while (!condition()) await new Promise((resolve) => setImmediate(resolve));
    };

    it('answers an append only once its WAL is synced, and shows no reader an event not yet on disk', async () => {
      const store = open('durable.db');
      expect(store.db.pragma('journal_mode', { simple: true })).to.equal('wal');
      const first = uniqueStream();
      await store.append(first, [counted(0)]);
      const syncs = holdSyncs();
      try {
        const pending = store.append(uniqueStream(), [counted(1)], { expectedRevision: 'no_stream' });
        const answered = settledYet(pending);
        await until(() => syncs.held.length === 1);
        // committed (the stream reader, which a command decides on, sees it) but not on disk
        expect(storedRows(store)).to.equal(2);
        expect(answered.settled).to.equal(false);
        const head = await store.headPosition();
        const all = await store.readAll();
        expect(all.events.map((e) => e.position)).to.deep.equal([head]);
        expect(all.isEnd).to.equal(true);
        expect(all.checkpoint).to.equal(head);
        // appends made meanwhile wait for that sync, then share the next commit
        const later = [store.append(uniqueStream(), [counted(2)]), store.append(uniqueStream(), [counted(3)])];
        await new Promise((resolve) => setImmediate(resolve));
        expect(storedRows(store)).to.equal(2);
        syncs.releaseAll();
        const result = await pending;
        expect((await store.readAll()).events.map((e) => e.position)).to.include(result.position);
        await until(() => syncs.held.length === 1);
        expect(storedRows(store)).to.equal(4);
        syncs.releaseAll();
        await Promise.all(later);
        expect((await store.readAll()).events).to.have.length(4);
      } finally {
        syncs.restore();
        await store.close();
      }
    });

    it('refuses the commit and every later append once the disk fails a sync, keeping the unsynced event from readers', async () => {
      const store = open('failing-disk.db');
      await store.append(uniqueStream(), [counted(0)]);
      const syncs = holdSyncs();
      try {
        syncs.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
        const pending = store.append(uniqueStream(), [counted(1)]);
        await until(() => syncs.held.length === 1);
        syncs.releaseAll();
        const refused = (await rejection(pending)) as Error;
        expect(refused.message).to.match(/^failing-disk\.db could not be synced to disk: EIO/);
        expect(((await rejection(store.append(uniqueStream(), [counted(2)]))) as Error).message).to.equal(
          refused.message,
        );
        expect(storedRows(store)).to.equal(2);
        expect((await store.readAll()).events).to.have.length(1);
      } finally {
        syncs.restore();
        await store.close();
      }
    });
  });

  it('writes concurrent appends in one transaction, where one writer’s conflict fails only that writer', async () => {
    const store = open('group.db');
    const contested = uniqueStream();
    await store.append(contested, [counted(0)]);
    const before = { ...store.stats };
    const appends = Array.from({ length: 63 }, (_, i) => store.append(uniqueStream(), [counted(i)]));
    const loser = store.append(contested, [counted(1)], { expectedRevision: 5 });
    const outcomes = await Promise.allSettled([...appends, loser]);
    expect(store.stats.transactions - before.transactions, 'transactions for 64 appends').to.equal(1);
    expect(outcomes.slice(0, 63).every((o) => o.status === 'fulfilled')).to.equal(true);
    const last = outcomes[63];
    expect(last?.status === 'rejected' && last.reason).to.be.instanceOf(WrongExpectedRevisionError);
    expect((await store.readStream(contested)).length).to.equal(1);
    await store.close();
  });

  it('gives a change mark that moves with every commit, this connection’s or another’s, and only then', async () => {
    const path = 'marks.db';
    const store = open(path);
    const other = open(path);
    const first = store.changeMark?.();
    expect(store.changeMark?.(), 'nothing written').to.equal(first);
    await store.append(uniqueStream(), [counted(1)]);
    const second = store.changeMark?.();
    expect(second, 'its own commit').to.not.equal(first);
    await other.append(uniqueStream(), [counted(2)]);
    expect(store.changeMark?.(), 'another connection’s commit').to.not.equal(second);
    await other.close();
    await store.close();
  });

  it('reads the log as stored JSON text whose members, position included, are those readAll gives', async () => {
    const store = open('json.db');
    const stream = uniqueStream();
    await store.append(stream, [counted(1), counted(2), counted(3)]);
    const decoded = await store.readAll({});
    const asText = await store.readAllJson!({});
    expect(asText.events.map((e) => e.position)).to.deep.equal(decoded.events.map((e) => e.position));
    expect(asText.events.map((e) => (JSON.parse(e.json) as { position: string }).position)).to.deep.equal(
      decoded.events.map((e) => e.position),
    );
    await store.close();
  });

  it('reads a lazy event’s stream, revision, id, time and metadata from the log when asked, as an eager read gives them', async () => {
    const store = open('lazy.db');
    const stream = uniqueStream();
    await store.append(stream, [counted(1), counted(2), counted(3)]);
    const eager = await store.readAll({});
    const lazy = await store.readAll({ lazyMetadata: true });
    const members = (e: RecordedEvent) => ({
      id: e.id,
      type: e.type,
      data: e.data,
      metadata: e.metadata,
      streamId: e.streamId,
      revision: e.revision,
      position: e.position,
      recordedAt: e.recordedAt,
    });
    expect(lazy.events.map(members)).to.deep.equal(eager.events.map(members));
    await store.close();
  });

  it('answers a retry and refuses a reused id queued among new appends, which still commit in one transaction', async () => {
    const store = open('retries.db');
    const stream = uniqueStream();
    const original = [counted(1), counted(2)];
    const first = await store.append(stream, original);
    const before = { ...store.stats };
    const fresh = Array.from({ length: 10 }, (_, i) => store.append(uniqueStream(), [counted(i)]));
    const retry = store.append(
      stream,
      original.map((e) => ({ ...e })),
    );
    const reuse = store.append(stream, [{ ...counted(3), id: original[0]?.id as string }]);
    const outcomes = await Promise.allSettled([...fresh, retry, reuse]);
    expect(outcomes.slice(0, 10).every((o) => o.status === 'fulfilled')).to.equal(true);
    expect(outcomes[10]).to.deep.equal({ status: 'fulfilled', value: first });
    const refused = outcomes[11];
    expect(refused?.status === 'rejected' && refused.reason).to.be.instanceOf(EventIdConflictError);
    expect(store.stats.transactions - before.transactions, 'transactions for 12 appends').to.equal(1);
    expect((await store.readStream(stream)).map((e) => e.id)).to.deep.equal(original.map((e) => e.id));
    await store.close();
  });

  it('refuses an event id already used in another stream', async () => {
    const store = open('ids.db');
    const event = counted(1);
    await store.append(uniqueStream(), [event]);
    const other = uniqueStream();
    try {
      await store.append(other, [event]);
      expect.fail('the second append should be refused');
    } catch (error) {
      expect(error).to.be.instanceOf(EventIdConflictError);
      expect((error as Error).message).to.match(/already used in stream test-/);
    }
    expect(await store.readStream(other)).to.deep.equal([]);
    await store.close();
  });

  it('delivers live events appended by another process sharing the file', async () => {
    const reader = open('shared.db', 20);
    const writer = open('shared.db');
    const stream = uniqueStream();
    const subscription = reader.subscribe({ after: await reader.headPosition(), filter: { streamPrefixes: [stream] } });
    const next = subscription.next();
    await writer.append(stream, [counted(7)]);
    const delivered = await next;
    expect(delivered.done === false && delivered.value.data['n']).to.equal(7);
    await subscription.close();
    await writer.close();
    await reader.close();
  });

  it('sees appends another process made to a stream it has written, keeping one chain', async () => {
    const first = open('two-writers.db');
    const second = open('two-writers.db');
    const stream = uniqueStream();
    await first.append(stream, [counted(0)]);
    await second.append(stream, [counted(1)]);
    const stale = first.append(stream, [counted(2)], { expectedRevision: 0 });
    try {
      await stale;
      expect.fail('a stale expected revision must be refused');
    } catch (error) {
      expect(error).to.include({ expected: 0, actual: 1 });
    }
    const result = await first.append(stream, [counted(2)]);
    expect(result.nextExpectedRevision).to.equal(2);
    expect((await first.verifyStream(stream)).ok).to.equal(true);
    await second.close();
    await first.close();
  });

  it('appends to a stream whose head it no longer keeps (more than HOT_STREAMS written since), keeping one chain', async () => {
    const store = open('old-head.db');
    const stream = uniqueStream();
    await store.append(stream, [counted(0)]);
    await Promise.all(Array.from({ length: HOT_STREAMS + 100 }, (_, i) => store.append(uniqueStream(), [counted(i)])));
    expect(await rejection(store.append(stream, [counted(1)], { expectedRevision: 5 }))).to.include({
      expected: 5,
      actual: 0,
    });
    expect((await store.append(stream, [counted(1)], { expectedRevision: 0 })).nextExpectedRevision).to.equal(1);
    expect((await store.verifyStream(stream)).ok).to.equal(true);
    await store.close();
  });

  it('reads a subscription’s events one bounded batch at a time, as the consumer pulls', async () => {
    const store = open('bounded.db');
    const stream = uniqueStream();
    for (let i = 0; i < 10; i += 1)
      await store.append(
        stream,
        Array.from({ length: 100 }, (_, k) => counted(i * 100 + k)),
      );
    const reads: number[] = [];
    const readAll = store.readAll.bind(store);
    store.readAll = async (options) => {
      const page = await readAll(options);
      reads.push(page.events.length);
      return page;
    };
    const subscription = store.subscribe({ batchSize: 10 });
    for (let i = 0; i < 25; i += 1) await subscription.next();
    expect(reads, 'pages read for 25 events').to.deep.equal([10, 10, 10]);
    await subscription.close();
    await store.close();
  });

  describe('correlation index', () => {
    /** The events table as it was before `correlation_id`. */
    const OLD_EVENT_LOG = `
      CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL, revision INTEGER NOT NULL,
        id TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL);
      CREATE UNIQUE INDEX events_stream_revision ON events (stream_id, revision);
      CREATE UNIQUE INDEX events_id ON events (id);`;

    it('serves a correlation from its index, not by scanning the log', async () => {
      const store = open('correlation-plan.db');
      const plan = store.db
        .prepare<[], { detail: string }>(
          "EXPLAIN QUERY PLAN SELECT position FROM events WHERE correlation_id = 'x' ORDER BY position",
        )
        .all()
        .map((row) => row.detail);
      expect(plan.join('; ')).to.match(/USING (COVERING )?INDEX events_correlation/);
      expect(plan.join('; ')).not.to.match(/SCAN events|TEMP B-TREE/);
      await store.close();
    });

    it('indexes a log written before the column on open, leaving every stored byte and the hash chains as they were', async () => {
      // a log written by the current store, copied row by row into a table of the old shape
      const source = open('correlation-source.db');
      const [a, b] = [uniqueStream(), uniqueStream()];
      const by = (correlationId: string, n: number) => ({ ...counted(n), metadata: meta({ correlationId }) });
      await source.append(a, [by('c-1', 1), by('c-2', 2)]);
      await source.append(b, [by('c-1', 3)]);
      await source.close();
      const oldPath = join(temp.dir, 'correlation-old.db');
      const old = new Database(oldPath);
      old.exec(OLD_EVENT_LOG);
      old.exec(`ATTACH '${join(temp.dir, 'correlation-source.db')}' AS source`);
      old.exec(
        'INSERT INTO events (position, stream_id, revision, id, type, data, metadata, recorded_at) SELECT position, stream_id, revision, id, type, data, metadata, recorded_at FROM source.events',
      );
      const before = old
        .prepare(
          'SELECT position, stream_id, revision, id, type, data, metadata, recorded_at FROM events ORDER BY position',
        )
        .all();
      old.close();

      const store = open('correlation-old.db');
      expect((await store.readByCorrelation('c-1')).map((e) => [e.streamId, e.data['n']])).to.deep.equal([
        [a, 1],
        [b, 3],
      ]);
      expect((await store.readByCorrelation('c-2')).map((e) => e.data['n'])).to.deep.equal([2]);
      const after = store.db
        .prepare(
          'SELECT position, stream_id, revision, id, type, data, metadata, recorded_at FROM events ORDER BY position',
        )
        .all();
      expect(after).to.deep.equal(before);
      expect((await store.verifyStream(a)).ok).to.equal(true);
      expect((await store.verifyStream(b)).ok).to.equal(true);
      // appends after the migration are indexed as they are written
      await store.append(b, [by('c-2', 4)]);
      expect((await store.readByCorrelation('c-2')).map((e) => e.data['n'])).to.deep.equal([2, 4]);
      await store.close();
    });
  });

  describe('tamper evidence on the file', () => {
    const seed = async (name: string) => {
      const store = open(name);
      const stream = uniqueStream();
      for (let n = 0; n < 5; n += 1) await store.append(stream, [counted(n, { note: `reading-${n}-PAYLOAD` })]);
      return { store, stream };
    };

    it('names the first altered event when one byte of the file changes', async () => {
      const path = join(temp.dir, 'byte.db');
      const { store, stream } = await seed('byte.db');
      await store.close(); // checkpoints the WAL into the main file
      const bytes = readFileSync(path);
      const at = bytes.indexOf('reading-2-PAYLOAD');
      expect(at, 'the event is in the file').to.be.greaterThan(0);
      bytes[at + 8] = 'X'.charCodeAt(0);
      writeFileSync(path, bytes);
      const reopened = open('byte.db');
      const result = await reopened.verifyStream(stream);
      expect(result.ok).to.equal(false);
      expect(!result.ok && result.break).to.include({ revision: 2, reason: 'altered' });
      await reopened.close();
    });

    it('finds an event deleted at the tail of a stream or of the log by the gap in positions', async () => {
      const { store, stream } = await seed('tail.db');
      await store.append(uniqueStream(), [counted(99)]);
      expect(await store.checkContinuity()).to.deep.equal({ ok: true, events: 6 });
      const lastOfStream = (await store.readStream(stream, { direction: 'backwards', maxCount: 1 }))[0];
      store.db.prepare('DELETE FROM events WHERE stream_id = ? AND revision = 4').run(stream);
      expect((await store.verifyStream(stream)).ok, 'the chain alone cannot see a cut tail').to.equal(true);
      expect(await store.checkContinuity()).to.deep.include({ ok: false, missingPosition: lastOfStream?.position });
      const tail = await store.append(uniqueStream(), [counted(100)]);
      store.db.prepare('DELETE FROM events WHERE position = ?').run(Number(tail.position));
      const result = await store.checkContinuity();
      expect(result.ok).to.equal(false);
      expect(!result.ok && result.detail).to.match(/2 of 7 positions are missing/);
      await store.close();
    });

    it('names removed and reordered events', async () => {
      const cases: Array<[string, (db: SqliteEventStore['db'], stream: string) => void, number, string]> = [
        [
          'removed',
          (db, s) => db.prepare('DELETE FROM events WHERE stream_id = ? AND revision = 1').run(s),
          1,
          'removed',
        ],
        [
          'reordered',
          (db, s) => {
            db.prepare('UPDATE events SET revision = -1 WHERE stream_id = ? AND revision = 3').run(s);
            db.prepare('UPDATE events SET revision = 3 WHERE stream_id = ? AND revision = 2').run(s);
            db.prepare('UPDATE events SET revision = 2 WHERE stream_id = ? AND revision = -1').run(s);
          },
          2,
          'reordered',
        ],
      ];
      for (const [name, tamper, revision, reason] of cases) {
        const { store, stream } = await seed(`${name}.db`);
        expect((await store.verifyStream(stream)).ok, `${name}: intact first`).to.equal(true);
        tamper(store.db, stream);
        const result = await store.verifyStream(stream);
        expect(!result.ok && result.break, name).to.include({ revision, reason });
        await store.close();
      }
    });
  });
});
