import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Checkpoint } from '../../app/proof/checkpoint';
import { readWitnessFile } from '../../adapters/proof/witnesses';
import type { Logger } from '../../lib/logger';

/** A signed checkpoint over more events than the restored log holds: kept aside for the auditor, not used. */
export type SetAsideCheckpoint = { from: 'proof.db' | 'witness-file'; checkpoint: Checkpoint };

export type Reconciliation = {
  log: { headPosition: string | null; events: number };
  /** Subscribers' positions past the restored head, brought back to it (there are none when the backup copied the log last). */
  checkpointsMoved: { file: string; name: string; from: string; to: string }[];
  setAside: SetAsideCheckpoint[];
  /** proof.db's leaves went past the log: the file is set aside under this name and the notary rebuilds its records. */
  proofRecordsSetAside: string | null;
  /** Sessions open at the backup, ended: a session ended since then must not come back. */
  sessionsEnded: number;
};

const hasTable = (db: Database.Database, table: string): boolean =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;

/** Opens a restored database for a moment: none of them is in use while the backbone is stopped. */
const withDatabase = <T>(path: string, work: (db: Database.Database) => T): T | undefined => {
  if (!existsSync(path)) return undefined;
  const db = new Database(path, { fileMustExist: true });
  try {
    return work(db);
  } finally {
    db.close();
  }
};

/** The proof's checkpoints over more events than the log holds leave proof.db; its leaves must not outrun the log. */
const reconcileProof = (
  dataDir: string,
  events: number,
  headPosition: string | null,
  stamp: string,
): Pick<Reconciliation, 'setAside' | 'proofRecordsSetAside'> => {
  const path = join(dataDir, 'proof.db');
  const outcome = withDatabase(path, (db) => {
    if (!hasTable(db, 'leaves')) return { setAside: [], outran: false };
    const leaves = db
      .prepare<[], { n: number; last: string | null }>('SELECT count(*) AS n, max(position) AS last FROM leaves')
      .get();
    const setAside = db
      .prepare<[number], { body: string }>('SELECT body FROM checkpoints WHERE tree_size > ? ORDER BY tree_size')
      .all(events)
      .map((row): SetAsideCheckpoint => ({ from: 'proof.db', checkpoint: JSON.parse(row.body) as Checkpoint }));
    const outran = (leaves?.n ?? 0) > events || (leaves?.last ?? '') > (headPosition ?? '');
    if (!outran) {
      db.transaction(() => {
        db.prepare('DELETE FROM checkpoints WHERE tree_size > ?').run(events);
        db.prepare('DELETE FROM witness_pending WHERE tree_size > ?').run(events);
      })();
    }
    return { setAside, outran };
  });
  if (!outcome) return { setAside: [], proofRecordsSetAside: null };
  if (!outcome.outran) return { setAside: outcome.setAside, proofRecordsSetAside: null };
  const aside = `proof.db.set-aside-${stamp}`;
  renameSync(path, join(dataDir, aside));
  return { setAside: outcome.setAside, proofRecordsSetAside: aside };
};

/**
 * Brings what a restore put back in line with the restored log (its copy defines the instant): no
 * subscriber's position past its head, no proof checkpoint over events it does not hold, no session
 * that was open at the backup. Everything found is logged and returned for the restore record.
 */
export const reconcile = (
  dataDir: string,
  witnessFile: string,
  stamp: string,
  logger: Logger,
  now: Date,
): Reconciliation => {
  const log = withDatabase(join(dataDir, 'events.db'), (db) => {
    const row = db
      .prepare<[], { last: number | null; n: number }>('SELECT max(position) AS last, count(*) AS n FROM events')
      .get();
    return { headPosition: row?.last ? String(row.last).padStart(20, '0') : null, events: row?.n ?? 0 };
  }) ?? { headPosition: null, events: 0 };
  const head = log.headPosition ?? '';

  const checkpointsMoved: Reconciliation['checkpointsMoved'] = [];
  const moveBack = (file: string, table: string, key: string): void =>
    void withDatabase(join(dataDir, file), (db) => {
      if (!hasTable(db, table)) return;
      for (const row of db
        .prepare<[string], { name: string; position: string }>(
          `SELECT ${key} AS name, position FROM ${table} WHERE position > ?`,
        )
        .all(head)) {
        // an empty log: the subscriber starts from the beginning
        if (head === '') db.prepare(`DELETE FROM ${table} WHERE ${key} = ?`).run(row.name);
        else db.prepare(`UPDATE ${table} SET position = ? WHERE ${key} = ?`).run(head, row.name);
        checkpointsMoved.push({ file, name: String(row.name), from: row.position, to: head });
      }
    });
  moveBack('checkpoints.db', 'checkpoints', 'name');
  moveBack('outbox.db', 'outbox_checkpoint', 'id');
  for (const moved of checkpointsMoved)
    logger.warn('a checkpoint past the restored log was moved back to its head', moved);

  const proof = reconcileProof(dataDir, log.events, log.headPosition, stamp);
  if (proof.proofRecordsSetAside) {
    logger.warn('the notary’s records went past the restored log: set aside; it rebuilds them from the log at start', {
      file: proof.proofRecordsSetAside,
    });
  }
  const setAside = [
    ...proof.setAside,
    ...readWitnessFile(witnessFile)
      .filter((c) => c.treeSize > log.events)
      .map((checkpoint): SetAsideCheckpoint => ({ from: 'witness-file', checkpoint })),
  ];
  if (setAside.length > 0) {
    logger.warn(
      'signed checkpoints cover more events than the restored log holds: set aside; the events after the backup are lost and an audit of the witnesses shows it',
      {
        events: log.events,
        headPosition: log.headPosition,
        checkpoints: setAside.map((s) => ({ from: s.from, treeSize: s.checkpoint.treeSize, time: s.checkpoint.time })),
      },
    );
  }
  const sessionsEnded =
    withDatabase(join(dataDir, 'sessions.db'), (db) =>
      hasTable(db, 'sessions')
        ? db
            .prepare("UPDATE sessions SET ended_at = ?, end_reason = 'revoked' WHERE ended_at IS NULL")
            .run(now.getTime()).changes
        : 0,
    ) ?? 0;
  return { log, checkpointsMoved, setAside, proofRecordsSetAside: proof.proofRecordsSetAside, sessionsEnded };
};
