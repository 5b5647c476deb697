import type Database from 'better-sqlite3';
import {
  SQLITE_AUTOCHECKPOINT_PAGES,
  startCheckpointWorker,
  type CheckpointAnswer,
  type CheckpointWorker,
} from '../../../lib/sqliteCheckpointWorker';

/** Events or commits answered since the last checkpoint began, after which the next one begins. */
const EVENTS_PER_CHECKPOINT = 256;
const COMMITS_PER_CHECKPOINT = 128;
/**
 * Frames in the WAL (4 KiB each: 32 MiB) past which the next checkpoint holds the commits: the WAL
 * starts again from its beginning only with a commit that finds every frame in it copied, which a
 * checkpoint running beside commits that keep coming never leaves.
 */
export const HOLD_AT_FRAMES = 8192;

export type LogCheckpoints = {
  /** After each commit is answered (`events` in it): begins a checkpoint when one is due. */
  committed(events: number): void;
  /** While true, the writer commits nothing; `resume` is called when it turns false. */
  readonly holding: boolean;
  /** Once no checkpoint runs: ends the worker. */
  close(): Promise<void>;
};

/**
 * The log's checkpoints, off the event loop and beside its commits. SQLite checkpoints in the commit
 * that takes the WAL past 1,000 pages: the pages written back into the file and the file fsynced,
 * on the event loop, in some request's append, and (the events' ids and correlation ids being
 * random) about half of what 64-event commits cost. Here a worker thread with its own connection
 * copies the WAL into the file (PASSIVE: it waits for no reader or writer) while the writer goes
 * on committing, and the WAL is synced at each commit as before, so nothing is less durable.
 *
 * Commits made while a checkpoint runs are left for the next, so under a steady stream of commits
 * the WAL never finishes and never starts again from its beginning: past HOLD_AT_FRAMES, the next
 * checkpoint holds the commits (`holding`; the appends queue and the event loop serves on) until it
 * has copied the few frames left, and the next commit starts the WAL again.
 *
 * The worker starts with the first checkpoint due (a log that never fills one never starts it). If
 * it fails, the connection checkpoints in its commits again, as SQLite does by default.
 */
export const createLogCheckpoints = (
  db: Database.Database,
  resume: () => void,
  holdAtFrames = HOLD_AT_FRAMES,
): LogCheckpoints => {
  if (db.memory) return { committed: () => undefined, holding: false, close: async () => undefined };
  db.pragma('wal_autocheckpoint = 0');
  let worker: CheckpointWorker | undefined;
  let failed = false;
  let running = false;
  let holding = false;
  let holdNext = false;
  let events = 0;
  let commits = 0;
  let idle: (() => void) | undefined;

  const fail = (): void => {
    failed = true;
    if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
  };
  const answered = (answer: CheckpointAnswer): void => {
    running = false;
    const held = holding;
    if ('failed' in answer) fail();
    // `log` counts the frames since the WAL last started again, those copied included; a held
    // checkpoint that could not start it again either (a reader of an old snapshot) is not held again
    else holdNext = !held && answer.log >= holdAtFrames;
    idle?.();
    if (held) {
      holding = false;
      resume();
    }
  };
  const begin = (): void => {
    if (!worker) {
      worker = startCheckpointWorker([db.name], 0);
      worker.onAnswer(answered);
      worker.onError(() => {
        fail();
        if (running) answered({ index: 0, failed: 'the checkpoint worker stopped' });
      });
    }
    running = true;
    holding = holdNext;
    holdNext = false;
    events = 0;
    commits = 0;
    worker.checkpoint(0);
  };

  return {
    committed(count) {
      events += count;
      commits += 1;
      if (failed || running) return;
      if (holdNext || events >= EVENTS_PER_CHECKPOINT || commits >= COMMITS_PER_CHECKPOINT) begin();
    },
    get holding() {
      return holding;
    },
    async close() {
      if (running) await new Promise<void>((resolve) => (idle = resolve));
      idle = undefined;
      await worker?.stop();
    },
  };
};
