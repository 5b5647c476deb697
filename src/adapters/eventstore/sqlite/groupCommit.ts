import type { AppendResult, ExpectedRevision, RecordedEvent } from '../../../app/eventStore';
import { assertExpectedRevision, resolveRetry } from '../appendRules';
import { sealedMetadata, type EventCodec, type PreparedEvent, type SealedEvent } from '../eventCodec';
import { GENESIS_HASH } from '../hashChain';
import { toPosition } from './schema';

export type StreamHead = { revision: number; hash: string };

export type QueuedAppend = { streamId: string; events: readonly PreparedEvent[]; expected: ExpectedRevision };

/** What the store held when the group's transaction began (read under its write lock). */
export type GroupLookup = {
  head: (streamId: string) => StreamHead | undefined;
  eventById: (id: string) => RecordedEvent | undefined;
  /**
   * Whether each id is looked up before it is planned as new. Default true. False leaves ids stored
   * by earlier groups, or accepted earlier in this one, to the log's unique index: the insert fails,
   * and the writer plans the group again, looking (an append is only a retry or a conflict if its ids
   * are stored).
   */
  lookUpIds?: boolean;
};

export type AcceptedAppend = {
  outcome: 'accepted';
  streamId: string;
  firstRevision: number;
  /** The events to insert, in order, at positions firstPosition, firstPosition + 1, ... */
  sealed: SealedEvent[];
  firstPosition: number;
  result: AppendResult;
};

export type AppendDecision =
  AcceptedAppend | { outcome: 'duplicate'; result: AppendResult } | { outcome: 'refused'; error: unknown };

export type GroupPlan = {
  decisions: AppendDecision[];
  /** Each written stream's head once the group commits. */
  heads: Map<string, StreamHead>;
  /** The position the group's first event gets (its `nextPosition` if it writes nothing). */
  firstPosition: number;
  /** The position the next group's first event will get. */
  nextPosition: number;
};

/**
 * Decides every append of a group, in order, before anything is written: so a refused append leaves
 * nothing behind and the transaction needs no savepoints. An accepted append moves its stream's head
 * and holds its ids for the appends after it in the same group, as if it were already stored.
 * `nextPosition` is the position the first inserted event will get (the log's AUTOINCREMENT).
 */
export const planGroup = (
  codec: EventCodec,
  appends: readonly QueuedAppend[],
  lookup: GroupLookup,
  nextPosition: number,
  recordedAt: string,
): GroupPlan => {
  const heads = new Map<string, StreamHead>();
  const decisions: AppendDecision[] = [];
  const lookUpIds = lookup.lookUpIds ?? true;
  /**
   * Ids accepted earlier in this group, when ids are looked up. Trusting the index, a repeated id is
   * left to it (the group is planned again, looking); only a refused append asks, rarely, whether it
   * retries one accepted earlier in the group, and is answered by a search of the group's decisions.
   */
  const staged = lookUpIds ? new Map<string, AcceptedAppend>() : undefined;
  let position = nextPosition;

  const stagedAppend = (id: string): AcceptedAppend | undefined => {
    if (staged) return staged.get(id);
    for (const decision of decisions)
      if (decision.outcome === 'accepted' && decision.sealed.some((event) => event.id === id)) return decision;
    return undefined;
  };
  /** An event accepted earlier in this group, built from its append only when asked for (a retry). */
  const stagedEvent = (id: string): RecordedEvent | undefined => {
    const append = stagedAppend(id);
    if (!append) return undefined;
    const offset = append.sealed.findIndex((event) => event.id === id);
    const event = append.sealed[offset] as SealedEvent;
    const { type, data } = event;
    const { streamId } = append;
    const at = toPosition(append.firstPosition + offset);
    const metadata = sealedMetadata(event);
    return { id, type, data, metadata, streamId, revision: append.firstRevision + offset, position: at, recordedAt };
  };
  const isKnown = (event: PreparedEvent): boolean =>
    (staged as Map<string, AcceptedAppend>).has(event.id) || lookup.eventById(event.id) !== undefined;

  const decide = ({ streamId, events, expected }: QueuedAppend): AppendDecision => {
    const head = heads.get(streamId) ?? lookup.head(streamId);
    let refusal: unknown;
    try {
      assertExpectedRevision(streamId, expected, head?.revision);
    } catch (error) {
      refusal = error;
    }
    if (refusal !== undefined || (staged !== undefined && events.some(isKnown))) {
      // a refused append, or one reusing known ids, may be a retry of one already stored
      const stored = events.map((event) => stagedEvent(event.id) ?? lookup.eventById(event.id));
      try {
        const retried = resolveRetry(codec, streamId, events, stored);
        return retried ? { outcome: 'duplicate', result: retried } : { outcome: 'refused', error: refusal };
      } catch (conflict) {
        return { outcome: 'refused', error: conflict };
      }
    }
    const firstRevision = head ? head.revision + 1 : 0;
    const prevHash = head?.hash ?? GENESIS_HASH;
    const sealed = codec.seal(streamId, events, firstRevision, prevHash);
    const firstPosition = position;
    position += sealed.length;
    const lastRevision = firstRevision + sealed.length - 1;
    heads.set(streamId, { revision: lastRevision, hash: (sealed[sealed.length - 1] as SealedEvent).hash });
    const result = { nextExpectedRevision: lastRevision, position: toPosition(position - 1) };
    const accepted: AcceptedAppend = {
      outcome: 'accepted',
      streamId,
      firstRevision,
      sealed,
      firstPosition,
      result,
    };
    if (staged) for (const event of sealed) staged.set(event.id, accepted);
    return accepted;
  };

  for (const append of appends) decisions.push(decide(append));
  return { decisions, heads, firstPosition: nextPosition, nextPosition: position };
};

/*
 * When to commit. Waiting for the loop's check phase (setImmediate) lets appends from many I/O
 * callbacks, concurrent HTTP requests say, share one transaction; committing at the next microtask
 * spares a lone writer that wait. So: while commits keep going out alone, up to SOLO_COMMITS_PER_TURN
 * of them commit at once in each loop turn, and none is begun once the turn's commits have held the
 * loop for SOLO_TURN_BUDGET_MS; as soon as a group forms, one per turn does and the rest are grouped.
 * Either way the loop turns, so other I/O is served. A commit to a file waits for its WAL's sync
 * (lib/sqliteWalSync.ts), answered in a later turn, so the turn's budget binds only commits that need
 * no sync: a store in memory, a group that wrote nothing (when commits synced themselves, 16 of them
 * held a loaded soak's loop for up to 166 ms).
 */
const SOLO_COMMITS_PER_TURN = 16;
const SOLO_TURN_BUDGET_MS = 20;
const SOLO_STREAK_TO_HURRY = 4;

/** `turnStartedMs`: when this turn's first hurried commit was planned (`performance.now()`). */
export type FlushState = {
  readonly soloStreak: number;
  readonly commitsThisTurn: number;
  readonly turnStartedMs: number;
};

export const INITIAL_FLUSH_STATE: FlushState = { soloStreak: 0, commitsThisTurn: 0, turnStartedMs: 0 };

/**
 * `now`: flush at the next microtask; `nextTurn`: after the loop's I/O (setImmediate). `startsTurn`:
 * the first hurried commit of this loop turn, so the caller arranges `turnEnded` for the next turn.
 * `nowMs`: the monotonic clock (`performance.now()`).
 */
export type FlushPlan = { state: FlushState; when: 'now' | 'nextTurn'; startsTurn: boolean };

export const planFlush = (state: FlushState, nowMs: number): FlushPlan => {
  const budget = state.soloStreak >= SOLO_STREAK_TO_HURRY ? SOLO_COMMITS_PER_TURN : 0;
  const startsTurn = state.commitsThisTurn === 0;
  if (state.commitsThisTurn >= budget || (!startsTurn && nowMs - state.turnStartedMs >= SOLO_TURN_BUDGET_MS))
    return { state, when: 'nextTurn', startsTurn: false };
  return {
    state: {
      ...state,
      commitsThisTurn: state.commitsThisTurn + 1,
      turnStartedMs: startsTurn ? nowMs : state.turnStartedMs,
    },
    when: 'now',
    startsTurn,
  };
};

export const groupCommitted = (state: FlushState, groupSize: number): FlushState => ({
  ...state,
  soloStreak: groupSize === 1 ? state.soloStreak + 1 : 0,
});

export const turnEnded = (state: FlushState): FlushState => ({ ...state, commitsThisTurn: 0 });
