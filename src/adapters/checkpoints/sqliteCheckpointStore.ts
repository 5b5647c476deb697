import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { CheckpointStore } from '../../app/checkpoints';
import { SMALL_PAGE_CACHE_KIB, limitPageCache } from '../../lib/sqlitePageCache';

/** Checkpoints in a SQLite file of their own (WAL; a lost save means a replay, which is idempotent). */
export const createSqliteCheckpointStore = (path: string): CheckpointStore => {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  limitPageCache(db, SMALL_PAGE_CACHE_KIB);
  db.exec(
    'CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position TEXT NOT NULL, saved_at TEXT NOT NULL) WITHOUT ROWID',
  );
  const get = db.prepare<[string], { position: string }>('SELECT position FROM checkpoints WHERE name = ?');
  const put = db.prepare(
    'INSERT INTO checkpoints (name, position, saved_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position, saved_at = excluded.saved_at',
  );
  return {
    async load(name) {
      return get.get(name)?.position;
    },
    async save(name, position) {
      put.run(name, position, new Date().toISOString());
    },
    async close() {
      db.close();
    },
  };
};
