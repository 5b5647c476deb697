import Database from 'better-sqlite3';
import type { Checkpoint } from '../../app/proof/checkpoint';
import type { LeafRecord } from '../../app/proof/leaf';
import type { LeafRecords } from '../../app/proof/verifyLog';
import {
  MerkleFrontier,
  type FrontierState,
  type LeafSource,
  type MerkleNode,
  type NodeSource,
} from '../../lib/merkle';
import { SMALL_PAGE_CACHE_KIB, limitPageCache } from '../../lib/sqlitePageCache';
import { createWalSync, type WalSync } from '../../lib/sqliteWalSync';

const DDL = `
CREATE TABLE IF NOT EXISTS leaves (
  idx         INTEGER PRIMARY KEY,
  position    TEXT    NOT NULL,
  stream_id   TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  event_id    TEXT    NOT NULL,
  recorded_at TEXT    NOT NULL,
  hash        BLOB    NOT NULL
);
CREATE TABLE IF NOT EXISTS checkpoints (
  tree_size INTEGER PRIMARY KEY,
  body      TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS nodes (
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,
  hash  BLOB    NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS witness_pending (
  witness   TEXT    NOT NULL,
  tree_size INTEGER NOT NULL,
  attempts  INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  PRIMARY KEY (witness, tree_size)
);
`;

type LeafRow = {
  idx: number;
  position: string;
  stream_id: string;
  revision: number;
  event_id: string;
  recorded_at: string;
  hash: Buffer;
};

const toRecord = (row: LeafRow): LeafRecord => ({
  index: row.idx,
  position: row.position,
  streamId: row.stream_id,
  revision: row.revision,
  eventId: row.event_id,
  recordedAt: row.recorded_at,
  hash: row.hash,
});

export type ProofStore = ReturnType<typeof openProofStore>;

/**
 * The notary's own file (proof.db): the leaf hash of every event in log order, the checkpoints it
 * signed, and the publications a witness has not yet confirmed. It is a cache and a locator, not
 * the proof: the checkpoints at the witnesses are what an auditor trusts, and these records count
 * only when they reproduce a signed root.
 */
export const openProofStore = (path: string, options: { readonly?: boolean } = {}) => {
  const db = new Database(path, options.readonly ? { readonly: true, fileMustExist: true } : {});
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.exec(DDL);
  }
  // leaves are a cache of the log (lost ones are read again from the log); a checkpoint is made durable
  // before anyone is given it, by a sync of the WAL off the event loop
  const sync = options.readonly ? undefined : createWalSync(db);
  db.pragma('busy_timeout = 5000');
  // its leaves are written at the end and read back by proofs; the count at its start read them all into 16 MB
  limitPageCache(db, SMALL_PAGE_CACHE_KIB);
  const statements = {
    count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM leaves'),
    lastPosition: db.prepare<[], { position: string }>('SELECT position FROM leaves ORDER BY idx DESC LIMIT 1'),
    range: db.prepare<[number, number], LeafRow>('SELECT * FROM leaves WHERE idx >= ? AND idx < ? ORDER BY idx'),
    hashes: db.prepare<[number, number], { hash: Buffer }>(
      'SELECT hash FROM leaves WHERE idx >= ? AND idx < ? ORDER BY idx',
    ),
    byEvent: db.prepare<[string], LeafRow>('SELECT * FROM leaves WHERE event_id = ?'),
    latest: db.prepare<[], { body: string }>('SELECT body FROM checkpoints ORDER BY tree_size DESC LIMIT 1'),
    checkpointAt: db.prepare<[number], { body: string }>('SELECT body FROM checkpoints WHERE tree_size = ?'),
    allCheckpoints: db.prepare<[], { body: string }>('SELECT body FROM checkpoints ORDER BY tree_size'),
  };
  const writes = options.readonly
    ? undefined
    : {
        leaf: db.prepare(
          'INSERT INTO leaves (idx, position, stream_id, revision, event_id, recorded_at, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ),
        meta: db.prepare(
          'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        ),
        checkpoint: db.prepare('INSERT OR IGNORE INTO checkpoints (tree_size, body) VALUES (?, ?)'),
        pending: db.prepare('INSERT OR IGNORE INTO witness_pending (witness, tree_size) VALUES (?, ?)'),
        delivered: db.prepare('DELETE FROM witness_pending WHERE witness = ? AND tree_size = ?'),
        failed: db.prepare(
          'UPDATE witness_pending SET attempts = attempts + 1, last_error = ? WHERE witness = ? AND tree_size = ?',
        ),
      };
  const meta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  // a proof.db of an older version opened read-only (an auditor's copy) has no nodes: proofs hash its leaves
  const hasNodes =
    db.prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE name = 'nodes'").get()?.n === 1;
  const nodeAt = hasNodes
    ? db.prepare<[number, number], { hash: Buffer }>('SELECT hash FROM nodes WHERE level = ? AND idx = ?')
    : undefined;
  const nodeWrite = options.readonly
    ? undefined
    : db.prepare('INSERT OR IGNORE INTO nodes (level, idx, hash) VALUES (?, ?, ?)');
  const nodesThrough = (): number => Number(meta.get('nodes_through')?.value ?? 0);
  /** Keeps the subtrees the leaves from `from` on complete, continuing the frontier before them. */
  const keepNodes = (frontier: MerkleFrontier, hashes: readonly Buffer[]): void => {
    const w = writable();
    const completed: MerkleNode[] = [];
    for (const hash of hashes) completed.push(...frontier.push(hash));
    for (const node of completed) nodeWrite?.run(node.level, node.index, node.hash);
    w.meta.run('nodes_through', String(frontier.size));
  };
  const pendingRows = db.prepare<
    [],
    { witness: string; tree_size: number; attempts: number; last_error: string | null }
  >('SELECT witness, tree_size, attempts, last_error FROM witness_pending ORDER BY tree_size');
  const writable = () => {
    if (!writes) throw new Error('the proof store is open read-only');
    return writes;
  };
  const appendLeaves = db.transaction((records: readonly LeafRecord[], frontier: FrontierState) => {
    const w = writable();
    // the complete subtrees these leaves finish, from the frontier before them (the store's own, not the caller's)
    const saved = meta.get('frontier');
    const before = saved ? MerkleFrontier.from(JSON.parse(saved.value) as FrontierState) : new MerkleFrontier();
    for (const r of records) w.leaf.run(r.index, r.position, r.streamId, r.revision, r.eventId, r.recordedAt, r.hash);
    keepNodes(
      before,
      records.map((r) => r.hash),
    );
    w.meta.run('frontier', JSON.stringify(frontier));
  });
  // a proof.db from before the node cache: its complete subtrees once, from its leaves, page by page
  if (!options.readonly && nodesThrough() < (statements.count.get()?.n ?? 0)) {
    const frontier = new MerkleFrontier();
    const total = statements.count.get()?.n ?? 0;
    const PAGE = 10_000;
    for (let from = 0; from < total; from += PAGE) {
      db.transaction(() =>
        keepNodes(
          frontier,
          statements.hashes.all(from, Math.min(total, from + PAGE)).map((r) => r.hash),
        ),
      )();
    }
  }
  const saveCheckpoint = db.transaction((checkpoint: Checkpoint, witnesses: readonly string[]) => {
    const w = writable();
    w.checkpoint.run(checkpoint.treeSize, JSON.stringify(checkpoint));
    for (const witness of witnesses) w.pending.run(witness, checkpoint.treeSize);
  });
  const leafRecords: LeafRecords = {
    get count() {
      return statements.count.get()?.n ?? 0;
    },
    range: (from, to) => statements.range.all(from, to).map(toRecord),
  };
  const leafSource: LeafSource = (from, to) => statements.hashes.all(from, to).map((r) => r.hash);
  const nodeSource: NodeSource = (level, index) => nodeAt?.get(level, index)?.hash;
  const parse = (row: { body: string } | undefined): Checkpoint | undefined =>
    row ? (JSON.parse(row.body) as Checkpoint) : undefined;

  return {
    db,
    leafRecords,
    leafSource,
    /** Hashes of the tree's complete subtrees, kept as the leaves are added: proofs read them, O(log n). */
    nodeSource,
    leafCount: (): number => statements.count.get()?.n ?? 0,
    lastPosition: (): string | undefined => statements.lastPosition.get()?.position,
    leafOfEvent: (eventId: string): LeafRecord | undefined => {
      const row = statements.byEvent.get(eventId);
      return row && toRecord(row);
    },
    latestCheckpoint: (): Checkpoint | undefined => parse(statements.latest.get()),
    checkpointAt: (treeSize: number): Checkpoint | undefined => parse(statements.checkpointAt.get(treeSize)),
    checkpoints: (): Checkpoint[] => statements.allCheckpoints.all().map((row) => JSON.parse(row.body) as Checkpoint),
    frontier: (): FrontierState | undefined => {
      const row = meta.get('frontier');
      return row ? (JSON.parse(row.value) as FrontierState) : undefined;
    },
    /** The leaves and the frontier after them, in one transaction. */
    appendLeaves: (records: readonly LeafRecord[], frontier: FrontierState): void => appendLeaves(records, frontier),
    /**
     * The checkpoint and one pending publication per witness, in one transaction; resolves once it is
     * on disk (with every leaf before it), so no witness is sent a checkpoint a power cut could take.
     */
    saveCheckpoint: (checkpoint: Checkpoint, witnesses: readonly string[]): Promise<void> => {
      saveCheckpoint(checkpoint, witnesses);
      return new Promise((resolve, reject) =>
        (sync as WalSync).afterCommit(true, (error) => (error ? reject(error) : resolve())),
      );
    },
    pending: () => pendingRows.all(),
    /** Forgets publications to witnesses no longer configured (they would wait forever). */
    forgetWitnessesBut: (names: readonly string[]): number => {
      const all = pendingRows.all().filter((row) => !names.includes(row.witness));
      for (const row of all) writable().delivered.run(row.witness, row.tree_size);
      return all.length;
    },
    delivered: (witness: string, treeSize: number): void => void writable().delivered.run(witness, treeSize),
    failed: (witness: string, treeSize: number, error: string): void =>
      void writable().failed.run(error.slice(0, 500), witness, treeSize),
    close: (): void => {
      sync?.close();
      db.close();
    },
  };
};
