import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { firstValueFrom, take, toArray } from 'rxjs';
import type { EventStore, EventToAppend, RecordedEvent } from '../../src/app/eventStore';
import { comparePositions, toObservable } from '../../src/app/eventStore';
import { GENESIS_HASH } from '../../src/adapters/eventstore/hashChain';
import type { EventStoreSpec } from '../../src/main/createEventStore';
import { EventIdConflictError, ValidationError, WrongExpectedRevisionError } from '../../src/domain/errors';
import { counted, meta, uniqueStream } from '../support/events';
import { killDuringAppends } from './killDuringAppends';
import { rejection } from '../support/assert';
import { waitFor } from '../support/waitFor';

export type ContractTarget = {
  /** Opens a store on the target; the suite closes it. */
  open: () => Promise<EventStore>;
  /** How a child process opens the same store. */
  spec: () => EventStoreSpec;
};

const collect = async (iterator: AsyncIterator<RecordedEvent>, count: number): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  while (events.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    events.push(next.value);
  }
  return events;
};

export const eventStoreContract = (label: string, target: () => ContractTarget | undefined): void => {
  describe(`event store contract: ${label}`, function () {
    this.timeout(60_000);
    let store: EventStore;

    before(async function () {
      const t = target();
      if (!t) return this.skip();
      store = await t.open();
    });
    after(async () => store?.close());

    describe('append and read', () => {
      it('stores events with revision, position, recorded time and the writer’s metadata', async () => {
        const stream = uniqueStream();
        const result = await store.append(stream, [counted(1), counted(2)], { expectedRevision: 'no_stream' });
        expect(result.nextExpectedRevision).to.equal(1);
        const events = await store.readStream(stream);
        expect(events.map((e) => [e.revision, e.data['n'], e.streamId])).to.deep.equal([
          [0, 1, stream],
          [1, 2, stream],
        ]);
        expect(events[1]?.position).to.equal(result.position);
        expect(events[0]?.metadata).to.include({ actor: 'tester', source: 'system', schemaVersion: 1 });
        expect(events[0]?.metadata.occurredAt).to.equal('2026-11-25T08:00:00+08:00');
        expect(Date.parse(events[0]?.recordedAt ?? '')).to.be.closeTo(Date.now(), 60_000);
      });

      it('gives positions as strings that order the log totally', async () => {
        const a = await store.append(uniqueStream(), [counted(1)]);
        const b = await store.append(uniqueStream(), [counted(2)]);
        const c = await store.append(uniqueStream(), [counted(3)]);
        expect([a, b, c].every((r) => typeof r.position === 'string')).to.equal(true);
        expect(comparePositions(a.position, b.position)).to.equal(-1);
        expect(comparePositions(c.position, b.position)).to.equal(1);
        expect([c.position, a.position, b.position].sort()).to.deep.equal([a.position, b.position, c.position]);
      });

      it('reads a stream forwards and backwards from a revision with a limit', async () => {
        const stream = uniqueStream();
        await store.append(
          stream,
          [0, 1, 2, 3, 4, 5].map((n) => counted(n)),
        );
        const n = (events: RecordedEvent[]) => events.map((e) => e.data['n']);
        expect(n(await store.readStream(stream, { fromRevision: 2, maxCount: 3 }))).to.deep.equal([2, 3, 4]);
        expect(n(await store.readStream(stream, { direction: 'backwards', maxCount: 2 }))).to.deep.equal([5, 4]);
        expect(n(await store.readStream(stream, { direction: 'backwards', fromRevision: 1 }))).to.deep.equal([1, 0]);
        expect(await store.readStream(uniqueStream())).to.deep.equal([]);
      });
    });

    describe('expected revision', () => {
      it('no_stream succeeds on a new stream and names stream, expected and actual when it exists', async () => {
        const stream = uniqueStream();
        await store.append(stream, [counted(1)], { expectedRevision: 'no_stream' });
        const error = await rejection(store.append(stream, [counted(2)], { expectedRevision: 'no_stream' }));
        expect(error).to.be.instanceOf(WrongExpectedRevisionError);
        expect(error).to.include({ streamId: stream, expected: 'no_stream', actual: 0 });
      });

      it('stream_exists refuses an absent stream and accepts an existing one', async () => {
        const stream = uniqueStream();
        const error = await rejection(store.append(stream, [counted(1)], { expectedRevision: 'stream_exists' }));
        expect(error).to.include({ streamId: stream, expected: 'stream_exists', actual: 'no_stream' });
        await store.append(stream, [counted(1)]);
        const result = await store.append(stream, [counted(2)], { expectedRevision: 'stream_exists' });
        expect(result.nextExpectedRevision).to.equal(1);
      });

      it('an exact revision must be the stream’s last one', async () => {
        const stream = uniqueStream();
        await store.append(stream, [counted(1), counted(2)]);
        const error = await rejection(store.append(stream, [counted(3)], { expectedRevision: 0 }));
        expect(error).to.include({ streamId: stream, expected: 0, actual: 1 });
        const result = await store.append(stream, [counted(3)], { expectedRevision: 1 });
        expect(result.nextExpectedRevision).to.equal(2);
        expect((await store.readStream(stream)).length).to.equal(3);
      });

      it('lets exactly one of many concurrent writers win each revision', async () => {
        const stream = uniqueStream();
        const writers = 24;
        let wins = 0;
        let conflicts = 0;
        for (let revision = -1; revision < 9; revision += 1) {
          const attempts = Array.from({ length: writers }, (_, w) =>
            store.append(stream, [counted(w, { note: `round ${revision}` })], {
              expectedRevision: revision < 0 ? 'no_stream' : revision,
            }),
          );
          const outcomes = await Promise.allSettled(attempts);
          const won = outcomes.filter((o) => o.status === 'fulfilled');
          expect(won, `revision ${revision + 1}`).to.have.length(1);
          for (const o of outcomes) {
            if (o.status === 'rejected') expect(o.reason).to.be.instanceOf(WrongExpectedRevisionError);
          }
          wins += won.length;
          conflicts += outcomes.length - won.length;
        }
        expect(wins).to.equal(10);
        expect(conflicts).to.equal(10 * (writers - 1));
        expect((await store.readStream(stream)).map((e) => e.revision)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect((await store.verifyStream(stream)).ok).to.equal(true);
      });
    });

    describe('idempotency', () => {
      it('a retried append answers as the first did and writes nothing', async () => {
        const stream = uniqueStream();
        const events = [counted(1), counted(2)];
        const first = await store.append(stream, events, { expectedRevision: 'no_stream' });
        for (const expectedRevision of ['no_stream', 'any'] as const) {
          expect(await store.append(stream, events, { expectedRevision })).to.deep.equal(first);
        }
        await store.append(stream, [counted(3)]);
        expect(await store.append(stream, events, { expectedRevision: 'no_stream' })).to.deep.equal(first);
        expect((await store.readStream(stream)).map((e) => e.data['n'])).to.deep.equal([1, 2, 3]);
      });

      it('refuses an event id reused with other content, writing nothing', async () => {
        const stream = uniqueStream();
        const original = counted(1);
        await store.append(stream, [original]);
        const forged = { ...original, data: { n: 99 } };
        const error = await rejection(store.append(stream, [forged]));
        expect(error).to.be.instanceOf(EventIdConflictError);
        expect(error).to.include({ eventId: original.id, streamId: stream });
        expect((await store.readStream(stream)).map((e) => e.data['n'])).to.deep.equal([1]);
      });
    });

    describe('validation', () => {
      it('refuses an invalid event with the failing path and writes none of its append', async () => {
        const stream = uniqueStream();
        const bad: EventToAppend = { ...counted(1), data: { n: 'one' } };
        const error = await rejection(store.append(stream, [counted(0), bad]));
        expect(error).to.be.instanceOf(ValidationError);
        expect((error as ValidationError).problems).to.deep.include({
          path: '/events/1/data/n',
          message: 'must be integer',
        });
        expect(await store.readStream(stream)).to.deep.equal([]);
      });

      it('refuses unknown types, bad ids, bad metadata and bad stream ids, naming the field', async () => {
        const cases: Array<[string, EventToAppend, string]> = [
          ['unknown type', { ...counted(1), type: 'NoSuchThing' }, '/events/0/type'],
          ['id not a UUID', { ...counted(1), id: 'abc' }, '/events/0/id'],
          ['no actor', { ...counted(1), metadata: { ...meta(), actor: '' } }, '/events/0/metadata/actor'],
          ['extra field', { ...counted(1), data: { n: 1, colour: 'red' } }, '/events/0/data/colour'],
        ];
        for (const [name, event, path] of cases) {
          const error = await rejection(store.append(uniqueStream(), [event]));
          expect(error, name).to.be.instanceOf(ValidationError);
          expect(
            (error as ValidationError).problems.map((p) => p.path),
            name,
          ).to.include(path);
        }
        const error = await rejection(store.append('$all', [counted(1)]));
        expect((error as ValidationError).problems[0]?.path).to.equal('/streamId');
      });
    });

    describe('schema versions', () => {
      it('upcasts an old version on read and keeps it as written for raw reads', async () => {
        const stream = uniqueStream();
        const before = await store.headPosition();
        await store.append(stream, [
          { id: randomUUID(), type: 'TestLabelled', data: { label: 'old' }, metadata: meta({ schemaVersion: 1 }) },
          { id: randomUUID(), type: 'TestLabelled', data: { label: 'new', tags: ['x'] }, metadata: meta() },
        ]);
        const read = await store.readStream(stream);
        expect(read.map((e) => [e.data, e.metadata.schemaVersion])).to.deep.equal([
          [{ label: 'old', tags: [] }, 2],
          [{ label: 'new', tags: ['x'] }, 2],
        ]);
        const raw = await store.readStream(stream, { raw: true });
        expect(raw[0]?.data).to.deep.equal({ label: 'old' });
        expect(raw[0]?.metadata.schemaVersion).to.equal(1);
        const all = await store.readAll({ after: before, filter: { streamPrefixes: [stream] } });
        expect(all.events[0]?.data).to.deep.equal({ label: 'old', tags: [] });
      });
    });

    describe('hash chain', () => {
      it('links every event of a stream to the one before it, across appends', async () => {
        const stream = uniqueStream();
        await store.append(stream, [counted(1), counted(2)]);
        await store.append(stream, [counted(3)]);
        const events = await store.readStream(stream, { raw: true });
        expect(events[0]?.metadata.prevHash).to.equal(GENESIS_HASH);
        expect(events[1]?.metadata.prevHash).to.equal(events[0]?.metadata.hash);
        expect(events[2]?.metadata.prevHash).to.equal(events[1]?.metadata.hash);
        expect(events.every((e) => /^[0-9a-f]{64}$/.test(e.metadata.hash))).to.equal(true);
        const result = await store.verifyStream(stream);
        expect(result).to.deep.include({ ok: true, events: 3 });
      });
    });

    describe('read all', () => {
      it('reads after a position in pages and filters by stream prefix and event type', async () => {
        const category = `ra${randomUUID().slice(0, 8)}`;
        const start = await store.headPosition();
        await store.append(`${category}-a`, [counted(1), counted(2)]);
        await store.append(uniqueStream('other'), [counted(100)]);
        await store.append(`${category}-b`, [counted(3)]);
        await store.append(`${category}-b`, [
          { id: randomUUID(), type: 'TestLabelled', data: { label: 'l', tags: [] }, metadata: meta() },
        ]);
        const filter = { streamPrefixes: [`${category}-`] };
        const page1 = await store.readAll({ after: start, maxCount: 2, filter });
        expect(page1.events.map((e) => e.data['n'])).to.deep.equal([1, 2]);
        expect(page1.isEnd).to.equal(false);
        const page2 = await store.readAll({ after: page1.checkpoint, maxCount: 10, filter });
        expect(page2.events.map((e) => e.type)).to.deep.equal(['TestCounted', 'TestLabelled']);
        expect(page2.isEnd).to.equal(true);
        const typed = await store.readAll({ after: start, filter: { ...filter, eventTypes: ['TestLabelled'] } });
        expect(typed.events.map((e) => e.streamId)).to.deep.equal([`${category}-b`]);
        const unfiltered = await store.readAll({ after: start, maxCount: 10 });
        expect(unfiltered.events.map((e) => e.data['n'])).to.include.members([1, 2, 100, 3]);
        const after = await store.readAll({ after: page2.checkpoint, filter });
        expect(after.events).to.deep.equal([]);
      });

      it('moves its checkpoint past events the filter left out, so they are not scanned again', async () => {
        const start = await store.headPosition();
        await store.append(uniqueStream('skipped'), [counted(1), counted(2), counted(3)]);
        const head = await store.headPosition();
        const read = await store.readAll({ after: start, filter: { streamPrefixes: [`none${randomUUID()}`] } });
        expect(read.events).to.deep.equal([]);
        expect(comparePositions(read.checkpoint, head)).to.be.at.least(0);
      });
    });

    describe('read by correlation', () => {
      it('reads everything one correlation caused, across streams, in log order, and nothing else', async () => {
        const correlationId = `corr-${randomUUID()}`;
        const caused = (n: number): EventToAppend => ({ ...counted(n), metadata: meta({ correlationId }) });
        const [a, b] = [uniqueStream(), uniqueStream()];
        await store.append(a, [caused(1), counted(2)]);
        await store.append(b, [caused(3)]);
        await store.append(a, [caused(4)]);
        // EventStoreDB's $bc- streams follow the log behind its projection's lag: awaited, not assumed
        const found = await waitFor(async () => {
          const events = await store.readByCorrelation(correlationId);
          return events.length >= 3 && events;
        }, 'the correlation read');
        expect(found.map((e) => [e.streamId, e.data['n']])).to.deep.equal([
          [a, 1],
          [b, 3],
          [a, 4],
        ]);
        expect(found.every((e) => e.metadata.correlationId === correlationId)).to.equal(true);
        const positions = found.map((e) => e.position);
        expect([...positions].sort(comparePositions)).to.deep.equal(positions);
        expect((await store.readByCorrelation(correlationId, { limit: 2 })).map((e) => e.data['n'])).to.deep.equal([
          1, 3,
        ]);
        // the next page: after the last position read
        const after = positions[0] as string;
        expect((await store.readByCorrelation(correlationId, { after })).map((e) => e.data['n'])).to.deep.equal([3, 4]);
        expect(
          (await store.readByCorrelation(correlationId, { after, limit: 1 })).map((e) => e.data['n']),
        ).to.deep.equal([3]);
        expect(await store.readByCorrelation(correlationId, { after: positions[2] as string })).to.deep.equal([]);
        expect(await store.readByCorrelation(`corr-${randomUUID()}`)).to.deep.equal([]);
      });

      it('answers events upcast, with the metadata and hash as written', async () => {
        const correlationId = `corr-${randomUUID()}`;
        const stream = uniqueStream();
        await store.append(stream, [
          {
            id: randomUUID(),
            type: 'TestLabelled',
            data: { label: 'x' },
            metadata: meta({ correlationId, schemaVersion: 1 }),
          },
        ]);
        const [event] = await waitFor(async () => {
          const events = await store.readByCorrelation(correlationId);
          return events.length > 0 && events;
        }, 'the correlation read');
        const [stored] = await store.readStream(stream);
        const { position: _p, ...read } = event as RecordedEvent;
        const { position: _s, ...written } = stored as RecordedEvent;
        expect(read).to.deep.equal(written);
        expect(event?.data).to.deep.equal({ label: 'x', tags: [] });
        expect((await store.verifyStream(stream)).ok).to.equal(true);
      });
    });

    describe('subscription', () => {
      it('catches up from a position, then delivers live events in order', async () => {
        const category = `sub${randomUUID().slice(0, 8)}`;
        const start = await store.headPosition();
        await store.append(`${category}-1`, [counted(1), counted(2)]);
        const subscription = store.subscribe({ after: start, filter: { streamPrefixes: [`${category}-`] } });
        const caughtUp = await collect(subscription, 2);
        await store.append(`${category}-2`, [counted(3)]);
        await store.append(uniqueStream('noise'), [counted(99)]);
        await store.append(`${category}-1`, [counted(4)]);
        const live = await collect(subscription, 2);
        await subscription.close();
        expect([...caughtUp, ...live].map((e) => e.data['n'])).to.deep.equal([1, 2, 3, 4]);
        expect(subscription.position).to.equal(live[1]?.position);
      });

      it('keeps order with no gap or duplicate while writers race across the catch-up/live switch', async () => {
        const category = `race${randomUUID().slice(0, 8)}`;
        const start = await store.headPosition();
        const writers = 8;
        const perWriter = 40;
        const acked: string[] = [];
        const write = async (w: number) => {
          for (let i = 0; i < perWriter; i += 1) {
            const event = counted(i, { batch: `w${w}` });
            await store.append(`${category}-${w % 3}`, [event]);
            acked.push(event.id);
          }
        };
        const writing = Promise.all(Array.from({ length: writers }, (_, w) => write(w)));
        // subscribe once some events are in, so part is catch-up and part is live
        while (acked.length < 30) await new Promise((r) => setTimeout(r, 1));
        const subscription = store.subscribe({
          after: start,
          filter: { streamPrefixes: [`${category}-`] },
          batchSize: 16,
        });
        const received = await collect(subscription, writers * perWriter);
        await writing;
        await subscription.close();
        const positions = received.map((e) => e.position);
        expect(positions).to.deep.equal([...positions].sort());
        expect(new Set(received.map((e) => e.id)).size).to.equal(received.length);
        expect(received.map((e) => e.id).sort()).to.deep.equal([...acked].sort());
      });

      it('resumes from the position it stopped at, missing nothing', async () => {
        const category = `resume${randomUUID().slice(0, 8)}`;
        const start = await store.headPosition();
        await store.append(
          `${category}-x`,
          [1, 2, 3, 4, 5].map((n) => counted(n)),
        );
        const filter = { streamPrefixes: [`${category}-`] };
        const first = store.subscribe({ after: start, filter });
        await collect(first, 2);
        const resumeFrom = first.position;
        await first.close();
        const second = store.subscribe({ after: resumeFrom, filter });
        const rest = await collect(second, 3);
        await second.close();
        expect(rest.map((e) => e.data['n'])).to.deep.equal([3, 4, 5]);
      });

      it('works as an rxjs Observable and stops when unsubscribed', async () => {
        const category = `rx${randomUUID().slice(0, 8)}`;
        const start = await store.headPosition();
        await store.append(
          `${category}-x`,
          [1, 2, 3, 4].map((n) => counted(n)),
        );
        const subscription = store.subscribe({ after: start, filter: { streamPrefixes: [`${category}-`] } });
        const values = await firstValueFrom(toObservable(subscription).pipe(take(3), toArray()));
        expect(values.map((e) => e.data['n'])).to.deep.equal([1, 2, 3]);
        const next = await Promise.race([
          subscription.next().then((r) => (r.done ? 'closed' : 'delivered')),
          new Promise((r) => setTimeout(() => r('still open'), 2000)),
        ]);
        expect(next).to.equal('closed');
      });

      it('ends a live wait when closed', async () => {
        const subscription = store.subscribe({
          after: await store.headPosition(),
          filter: { streamPrefixes: [`idle${randomUUID()}`] },
        });
        const pending = subscription.next();
        await new Promise((r) => setTimeout(r, 50));
        await subscription.close();
        expect((await pending).done).to.equal(true);
      });
    });

    describe('crash safety', () => {
      it('loses no acknowledged event and shows no partial batch when the writer is killed with SIGKILL', async function () {
        const t = target() as ContractTarget;
        const report = await killDuringAppends(t.spec(), store, { acksBeforeKill: 300, batchSize: 3 });
        expect(report.acked, 'acknowledged batches before the kill').to.be.at.least(300);
        expect(report.missingAcked, 'acknowledged but lost').to.deep.equal([]);
        expect(report.partialBatches, 'batches partly visible').to.deep.equal([]);
        expect(report.brokenChains, 'streams whose chain breaks').to.deep.equal([]);
      });
    });
  });
};
