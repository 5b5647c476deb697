import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { ExpectedRevision, RecordedEvent } from '../../src/app/eventStore';
import { GENESIS_HASH, verifyChain } from '../../src/adapters/eventstore/hashChain';
import {
  INITIAL_FLUSH_STATE,
  groupCommitted,
  planFlush,
  planGroup,
  turnEnded,
  type AppendDecision,
  type FlushState,
  type GroupPlan,
  type QueuedAppend,
} from '../../src/adapters/eventstore/sqlite/groupCommit';
import { EventIdConflictError, WrongExpectedRevisionError } from '../../src/domain/errors';
import { counted, createTestCodec, uniqueStream } from '../support/events';
import { sealedMetadata } from '../../src/adapters/eventstore/eventCodec';

const codec = createTestCodec();
const AT = '2026-11-25T00:00:00.000Z';
const pos = (n: number): string => String(n).padStart(20, '0');

const append = (streamId: string, ns: number[], expected: ExpectedRevision = 'any', ids?: string[]): QueuedAppend => ({
  streamId,
  events: codec.prepare(
    streamId,
    ns.map((n, i) => ({ ...counted(n), id: ids?.[i] ?? randomUUID() })),
  ),
  expected,
});

/** A store's contents as the lookup sees them: the events of earlier, committed plans. */
const storeOf = (stored: RecordedEvent[] = []) => ({
  head: (streamId: string) => {
    const last = stored.filter((e) => e.streamId === streamId).at(-1);
    return last && { revision: last.revision, hash: last.metadata.hash };
  },
  eventById: (id: string) => stored.find((e) => e.id === id),
});

/** What committing a plan writes, as the store would read it back. */
const written = (appends: QueuedAppend[], plan: GroupPlan): RecordedEvent[] =>
  plan.decisions.flatMap((d, i) =>
    d.outcome !== 'accepted'
      ? []
      : d.sealed.map((e, k) => ({
          id: e.id,
          type: e.type,
          data: e.data,
          metadata: sealedMetadata(e),
          streamId: (appends[i] as QueuedAppend).streamId,
          revision: d.firstRevision + k,
          position: pos(d.firstPosition + k),
          recordedAt: AT,
        })),
  );

const plan = (appends: QueuedAppend[], stored: RecordedEvent[] = [], next = 1) =>
  planGroup(codec, appends, storeOf(stored), next, AT);

const accepted = (d: AppendDecision | undefined) => {
  if (d?.outcome !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(d)}`);
  return d;
};
const refusal = (d: AppendDecision | undefined): unknown => (d?.outcome === 'refused' ? d.error : undefined);

describe('group commit: deciding a batch of appends before writing', () => {
  it('accepts a second append that expects the revision the first in the batch produced, refusing only a stale one', () => {
    const stream = uniqueStream();
    const other = uniqueStream();
    const appends = [
      append(stream, [1, 2], 'no_stream'),
      append(stream, [3], 1),
      append(stream, [9], 'no_stream'),
      append(other, [4], 'no_stream'),
    ];
    const { decisions, heads } = plan(appends, [], 41);
    expect(accepted(decisions[0]).result).to.deep.equal({ nextExpectedRevision: 1, position: pos(42) });
    expect(accepted(decisions[1]).firstRevision).to.equal(2);
    expect(accepted(decisions[1]).result).to.deep.equal({ nextExpectedRevision: 2, position: pos(43) });
    expect(refusal(decisions[2])).to.be.instanceOf(WrongExpectedRevisionError).and.include({ actual: 2 });
    expect(accepted(decisions[3]).result).to.deep.equal({ nextExpectedRevision: 0, position: pos(44) });
    expect(heads.get(stream)?.revision).to.equal(2);
  });

  it('checks no_stream, stream_exists, any and an exact revision against the stored head', () => {
    const stream = uniqueStream();
    const first = [append(stream, [0, 1, 2])];
    const stored = written(first, plan(first));
    const outcomes = (expected: ExpectedRevision, streamId = stream) =>
      plan([append(streamId, [5], expected)], stored).decisions[0]?.outcome;
    expect(outcomes('any')).to.equal('accepted');
    expect(outcomes('stream_exists')).to.equal('accepted');
    expect(outcomes(2)).to.equal('accepted');
    expect(outcomes(1)).to.equal('refused');
    expect(outcomes('no_stream')).to.equal('refused');
    expect(outcomes('no_stream', uniqueStream())).to.equal('accepted');
    expect(outcomes('stream_exists', uniqueStream())).to.equal('refused');
    expect(outcomes(0, uniqueStream())).to.equal('refused');
  });

  it('answers a retried append (same ids, same content) with the original revision and position', () => {
    const stream = uniqueStream();
    const original = append(stream, [1, 2], 'no_stream');
    const stored = written([original], plan([original], [], 7));
    const retried = { ...original, events: original.events.map((e) => ({ ...e })) };
    // the retry still expects no stream: that refusal gives way to the stored result
    const { decisions } = plan([retried], stored, 9);
    expect(decisions[0]).to.deep.equal({
      outcome: 'duplicate',
      result: { nextExpectedRevision: 1, position: pos(8) },
    });
  });

  it('answers a retry queued in the same batch as its original with the position planned for it', () => {
    const stream = uniqueStream();
    const original = append(stream, [1]);
    const { decisions } = plan([original, original, append(stream, [2])], [], 5);
    expect(decisions[1]).to.deep.equal({ outcome: 'duplicate', result: { nextExpectedRevision: 0, position: pos(5) } });
    expect(accepted(decisions[2]).result).to.deep.equal({ nextExpectedRevision: 1, position: pos(6) });
  });

  it('answers a refused retry of an append earlier in its batch from the plan when ids are left to the index', () => {
    const stream = uniqueStream();
    const original = append(stream, [1], 'no_stream');
    const trusting = { ...storeOf(), lookUpIds: false };
    const { decisions } = planGroup(codec, [original, original, append(stream, [2], 'no_stream')], trusting, 5, AT);
    expect(accepted(decisions[0]).result).to.deep.equal({ nextExpectedRevision: 0, position: pos(5) });
    expect(decisions[1]).to.deep.equal({ outcome: 'duplicate', result: { nextExpectedRevision: 0, position: pos(5) } });
    expect(refusal(decisions[2])).to.be.instanceOf(WrongExpectedRevisionError);
  });

  it('refuses an id already stored with other content, or in another stream', () => {
    const stream = uniqueStream();
    const original = append(stream, [1]);
    const stored = written([original], plan([original]));
    const id = original.events[0]?.id as string;
    const { decisions } = plan([append(stream, [2], 'any', [id]), append(uniqueStream(), [1], 'any', [id])], stored);
    expect(refusal(decisions[0])).to.be.instanceOf(EventIdConflictError);
    expect((refusal(decisions[0]) as Error).message).to.match(/other content/);
    expect((refusal(decisions[1]) as Error).message).to.match(/already used in stream/);
  });

  it('chains each append’s prev hash to the previous append’s last hash within one batch', () => {
    const stream = uniqueStream();
    const first = [append(stream, [0])];
    const stored = written(first, plan(first));
    const batch = [append(stream, [1, 2]), append(stream, [3]), append(uniqueStream(), [4])];
    const result = plan(batch, stored, 2);
    const [a, b, c] = result.decisions.map(accepted);
    expect(a?.sealed[0]?.prevHash).to.equal(stored[0]?.metadata.hash);
    expect(b?.sealed[0]?.prevHash).to.equal(a?.sealed[1]?.hash);
    expect(c?.sealed[0]?.prevHash).to.equal(GENESIS_HASH);
    const all = [...stored, ...written(batch, result)].filter((e) => e.streamId === stream);
    expect(verifyChain(stream, all)).to.include({ ok: true, events: 4 });
  });
});

describe('group commit: when to flush', () => {
  const commitAlone = (state: FlushState, times: number): FlushState =>
    Array.from({ length: times }).reduce<FlushState>((s) => groupCommitted(planFlush(s, 0).state, 1), state);

  it('waits for the loop’s I/O (so a group can form) until commits keep going out alone', () => {
    expect(planFlush(INITIAL_FLUSH_STATE, 0).when).to.equal('nextTurn');
    expect(planFlush(commitAlone(INITIAL_FLUSH_STATE, 3), 0).when).to.equal('nextTurn');
    const hurried = planFlush(commitAlone(INITIAL_FLUSH_STATE, 4), 0);
    expect(hurried).to.deep.include({ when: 'now', startsTurn: true });
  });

  it('commits a lone writer at once at most 16 times per loop turn, and waits again once a group forms', () => {
    let state = commitAlone(INITIAL_FLUSH_STATE, 4);
    const whens: string[] = [];
    for (let i = 0; i < 17; i += 1) {
      const next = planFlush(state, i);
      whens.push(next.when);
      state = groupCommitted(next.state, 1);
    }
    expect(whens.filter((w) => w === 'now')).to.have.length(16);
    expect(whens[16]).to.equal('nextTurn');
    expect(planFlush(turnEnded(state), 100).when).to.equal('now');
    expect(planFlush(turnEnded(groupCommitted(state, 5)), 100).when).to.equal('nextTurn');
  });

  it('begins no more hurried commits in a turn once its commits have held the loop 20 ms (a slow disk)', () => {
    let state = commitAlone(INITIAL_FLUSH_STATE, 4);
    const first = planFlush(state, 1_000);
    expect(first).to.deep.include({ when: 'now', startsTurn: true });
    state = groupCommitted(first.state, 1);
    expect(planFlush(state, 1_019).when).to.equal('now');
    expect(planFlush(state, 1_020).when).to.equal('nextTurn');
    // the next turn starts its own budget
    expect(planFlush(turnEnded(state), 1_030)).to.deep.include({ when: 'now', startsTurn: true });
  });
});
