import { MerkleFrontier, rootOf, type LeafSource } from '../../lib/merkle';
import type { RecordedEvent } from '../eventStore';
import type { Checkpoint } from './checkpoint';
import { eventLeafHash, type LeafRecord } from './leaf';

export type ProblemKind = 'rewritten' | 'retimed' | 'moved' | 'reordered' | 'deleted' | 'inserted' | 'altered-range';

/** One event the log does not hold as it was signed, named by position and stream. */
export type LogProblem = {
  kind: ProblemKind;
  /** The leaf index (the event's ordinal in the signed log). */
  index: number;
  position: string;
  streamId: string;
  revision?: number;
  eventId?: string;
  detail: string;
};

export type LogVerification = {
  ok: boolean;
  checkpoint: Omit<Checkpoint, 'signature'>;
  /** Events in the log now (the signed ones and any written since). */
  events: number;
  /**
   * The notary's leaf records: `authenticated` when they reproduce the signed root (then each
   * problem names its event); otherwise problems are located between the two checkpoints around them.
   */
  leafRecords: 'authenticated' | 'absent' | 'not-matching';
  problems: LogProblem[];
  /** All problems found; `problems` lists at most `maxProblems` of them. */
  problemCount: number;
};

/** The notary's leaf records, when the verifier has them (a copy of proof.db). */
export type LeafRecords = {
  count: number;
  range: (from: number, to: number) => readonly LeafRecord[];
};

const MAX_PROBLEMS = 100;

type Seen = { index: number; event: RecordedEvent; hash: Buffer };

const describe = (record: LeafRecord): Pick<LogProblem, 'position' | 'streamId' | 'revision' | 'eventId'> => ({
  position: record.position,
  streamId: record.streamId,
  revision: record.revision,
  eventId: record.eventId,
});

/**
 * Checks a log, read in position order as stored, against signed checkpoints (the newest first
 * decides; the older ones locate a change when the notary's records cannot be trusted). An event
 * rewritten with its stream chain recomputed, deleted with `sqlite_sequence` corrected, re-timed
 * or moved changes its leaf, so the signed root no longer comes out.
 */
export const verifyLog = async (
  log: AsyncIterable<RecordedEvent>,
  checkpoints: readonly Checkpoint[],
  records?: LeafRecords,
  maxProblems = MAX_PROBLEMS,
): Promise<LogVerification> => {
  const sorted = [...checkpoints].sort((a, b) => a.treeSize - b.treeSize);
  const latest = sorted[sorted.length - 1];
  if (!latest) throw new RangeError('no checkpoint to verify against');
  const { signature: _signature, ...signed } = latest;
  const treeSize = latest.treeSize;
  const recordSource: LeafSource | undefined = records
    ? (from, to) => records.range(from, to).map((r) => r.hash)
    : undefined;
  const recordsState: LogVerification['leafRecords'] = !records
    ? 'absent'
    : records.count >= treeSize && recordSource && rootOf(recordSource, 0, treeSize).toString('hex') === latest.rootHash
      ? 'authenticated'
      : 'not-matching';

  const frontier = new MerkleFrontier();
  const rootsAt = new Map<number, string>();
  const wanted = new Set(sorted.map((c) => c.treeSize));
  const mismatches: Seen[] = [];
  let mismatchCount = 0;
  const idsOutOfPlace = new Set<string>();
  let events = 0;
  const PAGE = 1000;
  let page: LeafRecord[] = [];
  let pageStart = 0;
  const recordAt = (index: number): LeafRecord | undefined => {
    if (!records) return undefined;
    if (index < pageStart || index >= pageStart + page.length) {
      pageStart = index;
      page = [...records.range(index, Math.min(treeSize, index + PAGE))];
    }
    return page[index - pageStart];
  };

  for await (const event of log) {
    const index = events;
    events += 1;
    if (index >= treeSize) {
      idsOutOfPlace.add(event.id);
      continue;
    }
    const hash = eventLeafHash(event);
    frontier.push(hash);
    if (wanted.has(frontier.size)) rootsAt.set(frontier.size, frontier.root().toString('hex'));
    if (recordsState === 'authenticated') {
      const record = recordAt(index) as LeafRecord;
      if (!record.hash.equals(hash)) {
        mismatchCount += 1;
        idsOutOfPlace.add(event.id);
        if (mismatches.length < maxProblems * 10) mismatches.push({ index, event, hash });
      }
    }
  }

  const problems: LogProblem[] = [];
  let problemCount = 0;
  const add = (problem: LogProblem) => {
    problemCount += 1;
    if (problems.length < maxProblems) problems.push(problem);
  };

  if (recordsState === 'authenticated') {
    for (const { index, event } of mismatches) {
      const record = recordAt(index) as LeafRecord;
      if (event.id === record.eventId) {
        if (event.recordedAt !== record.recordedAt) {
          add({
            kind: 'retimed',
            index,
            ...describe(record),
            detail: `recorded at ${event.recordedAt}, signed as recorded at ${record.recordedAt}`,
          });
        } else if (event.position !== record.position) {
          add({ kind: 'moved', index, ...describe(record), detail: `now at position ${event.position}` });
        } else {
          add({ kind: 'rewritten', index, ...describe(record), detail: 'its content is not what was signed' });
        }
      } else if (idsOutOfPlace.has(record.eventId)) {
        add({
          kind: 'reordered',
          index,
          ...describe(record),
          detail: `event ${event.id} (${event.streamId} revision ${event.revision}) is in its place`,
        });
      } else {
        add({ kind: 'deleted', index, ...describe(record), detail: 'the signed event is not in the log' });
      }
    }
    // mismatches past the detail limit are counted, not described
    problemCount += mismatchCount - mismatches.length;
    for (let index = events; index < treeSize; index += 1) {
      const record = recordAt(index) as LeafRecord;
      add({ kind: 'deleted', index, ...describe(record), detail: 'the log ends before the signed event' });
    }
  } else {
    if (events < treeSize) {
      add({
        kind: 'deleted',
        index: events,
        position: '',
        streamId: '',
        detail: `the log holds ${events} events; the checkpoint signed ${treeSize}`,
      });
    }
    // without trusted leaf records, the checkpoints around a change locate it
    let previous = 0;
    for (const checkpoint of sorted) {
      if (checkpoint.treeSize > events) break;
      if (rootsAt.get(checkpoint.treeSize) !== checkpoint.rootHash) {
        add({
          kind: 'altered-range',
          index: previous,
          position: '',
          streamId: '',
          detail: `events ${previous + 1} to ${checkpoint.treeSize} of the log do not reproduce the checkpoint of ${checkpoint.time}`,
        });
        break;
      }
      previous = checkpoint.treeSize;
    }
  }
  return { ok: problemCount === 0, checkpoint: signed, events, leafRecords: recordsState, problems, problemCount };
};
