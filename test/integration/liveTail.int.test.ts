import { expect } from 'chai';
import { join } from 'node:path';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import { createSqliteEventStore, type SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { readPages, type EventFilter, type Position, type RecordedEvent } from '../../src/app/eventStore';
import { createLiveTail, type LiveFollower } from '../../src/app/liveTail';
import { counted, createTestCodec, uniqueStream } from '../support/events';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';

/** What a reader of the log itself finds after `after` with `filter`: the follower must see exactly this. */
const logAfter = async (store: SqliteEventStore, after: Position | undefined, filter?: EventFilter) => {
  const positions: Position[] = [];
  for await (const page of readPages(store, { ...(after ? { after } : {}), ...(filter ? { filter } : {}) }))
    positions.push(...page.events.map((e) => e.position));
  return positions;
};

/** Reads a follower until it has seen `count` events (or ended), pausing now and then (`pause`) like a real client. */
const drain = async (follower: LiveFollower, seen: RecordedEvent[], count: () => number | undefined, pause = true) => {
  for (;;) {
    const wanted = count();
    if (wanted !== undefined && seen.length >= wanted) return;
    const next = await follower.next();
    if (next.done) return;
    seen.push(next.value);
    if (pause && seen.length % 7 === 0) await yieldLoop();
  }
};

/** Appends `n` events, a few at a time, to streams of the given categories in turn. */
const write = async (store: SqliteEventStore, n: number, categories = ['test', 'other']) => {
  for (let k = 0; k < n; k += 5) {
    await store.append(
      uniqueStream(categories[(k / 5) % categories.length]),
      Array.from({ length: 5 }, (_, i) => counted(k + i)),
    );
    if (k % 25 === 0) await yieldLoop();
  }
};

describe('the live tail: one reader of new events for every live stream', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-live-tail-');
  let store: SqliteEventStore;
  beforeEach(() => {
    store = createSqliteEventStore({
      path: join(temp.dir, `${Date.now()}-${Math.random()}.db`),
      codec: createTestCodec(),
      pollIntervalMs: 20,
    });
  });
  afterEach(() => store.close());
  after(() => temp.remove());

  it('serves 20 followers from their own positions and filters, without gap or duplicate, on one store subscription', async () => {
    await write(store, 300);
    const firstPage = (await store.readAll({ maxCount: 100 })).events;
    const middle = firstPage[99]?.position;
    const head = await store.headPosition();
    const starts: { after: Position | undefined; filter?: EventFilter }[] = [
      { after: undefined },
      { after: middle },
      { after: head },
      { after: undefined, filter: { streamPrefixes: ['other-'] } },
      { after: middle, filter: { streamPrefixes: ['test-'], eventTypes: ['TestCounted'] } },
      { after: head, filter: { eventTypes: ['NoSuchType'] } },
    ];
    const tail = createLiveTail(store, { batchSize: 50 });
    const followers = Array.from({ length: 20 }, (_, n) => {
      const start = starts[n % starts.length] as (typeof starts)[number];
      const follower = tail.follow({ ...(start.after ? { after: start.after } : {}), filter: start.filter ?? {} });
      return { ...start, follower, seen: [] as RecordedEvent[], expected: undefined as Position[] | undefined };
    });
    const reading = followers.map((f) => drain(f.follower, f.seen, () => f.expected?.length));
    // appends while the followers catch up and join the tail
    await write(store, 500);
    for (const f of followers) f.expected = await logAfter(store, f.after, f.filter);
    await waitFor(
      () => followers.every((f) => f.seen.length >= (f.expected?.length ?? 0)),
      'every follower to reach the head',
    );
    expect(store.openSubscriptions, 'one store subscription for 20 followers').to.equal(1);
    expect(tail.followers).to.equal(20);
    for (const f of followers) {
      expect(
        f.seen.map((e) => e.position),
        `from ${f.after ?? 'the start'} with ${JSON.stringify(f.filter ?? {})}`,
      ).to.deep.equal(f.expected);
    }
    expect(followers.map((f) => f.seen.length)).to.include.members([800, 700, 500, 400, 0]);
    for (const f of followers) await f.follower.close();
    await Promise.all(reading);
    expect(tail.followers).to.equal(0);
    await waitFor(() => store.openSubscriptions === 0, 'the tail to close its store subscription');
    expect(tail.reading, 'the tail reads only while followed').to.equal(false);
  });

  it('ends a follower that does not read while live, keeps the others going, and its last position resumes without gap', async () => {
    const tail = createLiveTail(store, { bufferSize: 50, batchSize: 50 });
    const slow = tail.follow();
    const fast = tail.follow();
    const first = slow.next();
    const fastSeen: RecordedEvent[] = [];
    const fastReading = drain(fast, fastSeen, () => 205, false);
    await write(store, 5);
    expect((await first).done).to.equal(false);
    await write(store, 200);
    await fastReading;
    expect(fastSeen.map((e) => e.data['n'])).to.have.length(205);
    // the slow one was given its first batch, then read nothing while 200 more were appended
    const after = await slow.next();
    const rest: RecordedEvent[] = [];
    for (let next = after; !next.done; next = await slow.next()) rest.push(next.value);
    expect(slow.overrun, 'ended as too far behind').to.equal(true);
    const resumed = tail.follow({ ...(slow.position ? { after: slow.position } : {}) });
    const resumedSeen: RecordedEvent[] = [];
    await drain(resumed, resumedSeen, () => 205 - 1 - rest.length);
    expect([...rest, ...resumedSeen].map((e) => e.position)).to.deep.equal(fastSeen.slice(1).map((e) => e.position));
    await Promise.all([fast.close(), resumed.close()]);
  });

  it('catches up over a log longer than its buffer while events keep coming, and is not ended for it', async () => {
    await write(store, 400);
    const tail = createLiveTail(store, { bufferSize: 20, batchSize: 10 });
    const catching = tail.follow({ batchSize: 25 });
    const seen: RecordedEvent[] = [];
    await drain(catching, seen, () => 50);
    // 300 appended while it is still reading the log (and reads nothing): far more than its buffer holds
    const witness = tail.follow({ ...(seen[49] ? { after: seen[49].position } : {}) });
    const witnessed: RecordedEvent[] = [];
    const witnessing = drain(witness, witnessed, () => 650);
    await write(store, 300);
    await witnessing;
    await drain(catching, seen, () => 700);
    expect(catching.overrun).to.equal(false);
    expect(seen.map((e) => e.position)).to.deep.equal(await logAfter(store, undefined));
    await Promise.all([catching.close(), witness.close()]);
  });

  it('skips to a position given before it is read, serving what follows without gap or duplicate, and refuses once read', async () => {
    const tail = createLiveTail(store, { bufferSize: 100, batchSize: 50 });
    await write(store, 100);
    const follower = tail.follow({ filter: { streamPrefixes: ['test-'] } });
    // meanwhile its reader had the log up to here another way, while more events keep coming (past its buffer)
    const had = (await store.readAll({ maxCount: 60 })).checkpoint as Position;
    const writing = write(store, 300);
    follower.skipTo(had);
    const seen: RecordedEvent[] = [];
    await writing;
    const expected = await logAfter(store, had, { streamPrefixes: ['test-'] });
    await drain(follower, seen, () => expected.length);
    expect(seen.map((e) => e.position)).to.deep.equal(expected);
    expect(() => follower.skipTo(had)).to.throw(/cannot skip/);
    await follower.close();
  });

  it('ends its followers when the store closes', async () => {
    const tail = createLiveTail(store);
    const follower = tail.follow();
    const waiting = follower.next();
    await waitFor(() => store.openSubscriptions === 1, 'the tail to start');
    await store.close();
    expect((await waiting).done).to.equal(true);
    expect(tail.followers).to.equal(0);
  });
});
