import { expect } from 'chai';
import { join } from 'node:path';
import { createSqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import type { EventStore, ReadStreamOptions, RecordedEvent } from '../../src/app/eventStore';
import { createStateAsOf, foldAsOf } from '../../src/app/stateAsOf';
import type { AnyEvent, Decider } from '../../src/domain/messages';
import { counted, createTestCodec, uniqueStream } from '../support/events';
import { makeTempDir } from '../support/tmp';

/** A decider whose state is every number it folded, in order: any event folded twice, missed or misplaced shows. */
const numbers: Decider<unknown, AnyEvent, unknown> = {
  category: 'test',
  initialState: [],
  decide: () => [],
  evolve: (state, event) => [...(state as number[]), (event.data as { n: number }).n],
  eventTypes: ['TestCounted'],
};

/** Every instant worth asking about: each event's, a millisecond before it, before all and after all. */
const instantsOf = (events: readonly RecordedEvent[]): number[] => [
  Number.NEGATIVE_INFINITY,
  ...new Set(events.flatMap((e) => [Date.parse(e.recordedAt), Date.parse(e.recordedAt) - 1])),
  Number.POSITIVE_INFINITY,
];

describe('state as of an instant from snapshots (equal to a fold of the whole stream)', () => {
  const temp = makeTempDir('mes-asof-');
  after(() => temp.remove());

  it('answers as the full fold at every instant of a stream of 1,000 events, and as the stream grows', async () => {
    const store = createSqliteEventStore({ path: join(temp.dir, 'asof.db'), codec: createTestCodec() });
    const stream = uniqueStream();
    const history = createStateAsOf(store, { blockSize: 64 });
    const check = async () => {
      const events = await store.readStream(stream);
      for (const instant of instantsOf(events)) {
        const snapshot = await history.stateAsOf(stream, numbers, instant);
        expect(snapshot, `as of ${instant}`).to.deep.equal(foldAsOf(numbers, events, instant));
      }
    };
    for (let a = 0; a < 30; a += 1)
      await store.append(
        stream,
        Array.from({ length: 25 }, (_, i) => counted(a * 25 + i)),
      );
    await check();
    // grown past the snapshots taken: new blocks and a new tail
    for (let a = 30; a < 40; a += 1)
      await store.append(
        stream,
        Array.from({ length: 25 }, (_, i) => counted(a * 25 + i)),
      );
    await check();
    const all = await history.stateAsOf(stream, numbers, Number.POSITIVE_INFINITY);
    expect(all?.state).to.deep.equal(Array.from({ length: 1000 }, (_, i) => i));
    expect(all?.last.revision).to.equal(999);
    expect(await history.stateAsOf(uniqueStream(), numbers, Number.POSITIVE_INFINITY)).to.equal(undefined);
    await store.close();
  });

  it('answers as the full fold when the store’s clock stepped back between appends', async () => {
    // recorded times out of order, as after a clock correction: blocks must not be trusted by position alone
    const t0 = Date.parse('2026-11-25T00:00:00Z');
    const stream = 'test-clock';
    const events: RecordedEvent[] = Array.from({ length: 700 }, (_, revision) => ({
      ...counted(revision),
      metadata: { ...counted(revision).metadata, schemaVersion: 1, prevHash: '', hash: '' },
      streamId: stream,
      revision,
      position: String(revision + 1).padStart(20, '0'),
      // mostly forward, with steps back of up to ~2 hours every 97 events
      recordedAt: new Date(
        t0 + revision * 60_000 - (revision % 97 === 0 ? 7_200_000 : 0) - (revision % 5) * 3_000_000,
      ).toISOString(),
    }));
    const readStream = async (_id: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> => {
      if (options.direction === 'backwards') return events.slice(-1);
      const from = options.fromRevision ?? 0;
      return events.slice(from, from + (options.maxCount ?? events.length));
    };
    const history = createStateAsOf({ readStream } as unknown as EventStore, { blockSize: 50 });
    for (const instant of instantsOf(events)) {
      expect(await history.stateAsOf(stream, numbers, instant), `as of ${instant}`).to.deep.equal(
        foldAsOf(numbers, events, instant),
      );
    }
  });
  it('stays within its size by dropping the least recently asked streams, then every other snapshot of a stream too big alone, answering as the full fold', async () => {
    const store = createSqliteEventStore({ path: join(temp.dir, 'bounded.db'), codec: createTestCodec() });
    const streams = [uniqueStream(), uniqueStream(), uniqueStream()];
    for (const stream of streams)
      for (let a = 0; a < 8; a += 1)
        await store.append(
          stream,
          Array.from({ length: 100 }, (_, i) => counted(a * 100 + i)),
        );
    // 16 blocks of 50 a stream; a snapshot of numbers 0..n is about 4n bytes of JSON
    const history = createStateAsOf(store, { blockSize: 50, maxBytes: 15_000 });
    const asked = async (stream: string) => {
      const events = await store.readStream(stream);
      for (const instant of instantsOf(events).filter((_, i) => i % 7 === 0)) {
        expect(await history.stateAsOf(stream, numbers, instant), `${stream} as of ${instant}`).to.deep.equal(
          foldAsOf(numbers, events, instant),
        );
      }
      expect(history.usage().bytes).to.be.at.most(15_000);
    };
    await asked(streams[0] as string);
    await asked(streams[1] as string);
    // each stream alone holds more than the bound at 16 snapshots: thinned, never over it
    expect(history.usage()).to.deep.include({ streams: 1 });
    expect(history.usage().blocks).to.be.below(16);
    await asked(streams[2] as string);
    // and as before with a bound large enough for all three: the least recently asked go first past 2 streams
    const roomy = createStateAsOf(store, { blockSize: 50, maxStreams: 2 });
    for (const stream of streams) await roomy.stateAsOf(stream, numbers, Number.POSITIVE_INFINITY);
    expect(roomy.usage()).to.deep.include({ streams: 2, blocks: 32 });
    await store.close();
  });

  it('answers concurrent requests for one stream as the full fold, its snapshots taken once', async () => {
    const store = createSqliteEventStore({ path: join(temp.dir, 'concurrent.db'), codec: createTestCodec() });
    const stream = uniqueStream();
    for (let a = 0; a < 10; a += 1)
      await store.append(
        stream,
        Array.from({ length: 100 }, (_, i) => counted(a * 100 + i)),
      );
    const events = await store.readStream(stream);
    const history = createStateAsOf(store, { blockSize: 64 });
    const instants = instantsOf(events);
    const answers = await Promise.all(instants.map((instant) => history.stateAsOf(stream, numbers, instant)));
    expect(answers).to.deep.equal(instants.map((instant) => foldAsOf(numbers, events, instant)));
    expect(history.usage().blocks).to.equal(Math.floor(1000 / 64));
    await store.close();
  });
});
