import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { IllegalStateError } from '../domain/errors';
import { SMALL_PAGE_CACHE_KIB, limitPageCache } from '../lib/sqlitePageCache';

export type StoredResponse = { status: number; body: unknown; headers: Record<string, string> };

/**
 * First answers to requests that carried an Idempotency-Key: a retry gets the same answer and writes
 * nothing. A key is the caller's own (scoped by API key name); reused for another request, it is refused (409, rule idempotency-key-reused).
 */
export const createIdempotencyStore = (
  path: string,
  options: {
    /** How long an answer is kept for retries. Default 24 h. */
    retentionMs?: number;
    clock?: () => Date;
  } = {},
) => {
  const retentionMs = options.retentionMs ?? 24 * 3_600_000;
  const clock = options.clock ?? (() => new Date());
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  // answers are looked up by key: SQLite's own 2 MB page cache, not better-sqlite3's 16 MB
  limitPageCache(db, SMALL_PAGE_CACHE_KIB);
  db.exec(`CREATE TABLE IF NOT EXISTS idempotency (
    principal TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, response TEXT NOT NULL, created_at TEXT NOT NULL,
    PRIMARY KEY (principal, key)) WITHOUT ROWID`);
  const get = db.prepare<[string, string], { fingerprint: string; response: string }>(
    'SELECT fingerprint, response FROM idempotency WHERE principal = ? AND key = ?',
  );
  const put = db.prepare(
    'INSERT OR IGNORE INTO idempotency (principal, key, fingerprint, response, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  db.exec('CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency (created_at)');
  const expire = db.prepare<[string]>('DELETE FROM idempotency WHERE created_at < ?');
  /** Forgets answers older than the retention: a retry later than that is a new request. */
  const prune = (): number => expire.run(new Date(clock().getTime() - retentionMs).toISOString()).changes;
  prune();
  const pruning = setInterval(prune, Math.min(retentionMs, 600_000));
  pruning.unref();

  db.exec(`CREATE TABLE IF NOT EXISTS input_ids (
    principal TEXT NOT NULL, input_id TEXT NOT NULL, fingerprint TEXT NOT NULL, created_at TEXT NOT NULL,
    PRIMARY KEY (principal, input_id)) WITHOUT ROWID`);
  const claimRow = db.prepare(
    'INSERT OR IGNORE INTO input_ids (principal, input_id, fingerprint, created_at) VALUES (?, ?, ?, ?)',
  );
  const claimed = db.prepare<[string, string], { fingerprint: string }>(
    'SELECT fingerprint FROM input_ids WHERE principal = ? AND input_id = ?',
  );
  const unclaim = db.prepare('DELETE FROM input_ids WHERE principal = ? AND input_id = ? AND fingerprint = ?');
  return {
    prune,
    find(principal: string, key: string, fingerprint: string): StoredResponse | undefined {
      const row = get.get(principal, key);
      if (!row) return undefined;
      if (row.fingerprint !== fingerprint) {
        throw new IllegalStateError(`Idempotency-Key ${key} was used for another request`, 'idempotency-key-reused');
      }
      return JSON.parse(row.response) as StoredResponse;
    },
    save(principal: string, key: string, fingerprint: string, response: StoredResponse): void {
      put.run(principal, key, fingerprint, JSON.stringify(response), clock().toISOString());
    },
    /**
     * Claims an input's own id (a scan id) for its caller with the digest of its content: true when this
     * call made the claim, false when the same content claimed it before (a retry); the same id with other
     * content is refused (409, rule `<kind>-id-reused`). Another caller's same id is another claim.
     */
    claimInput(principal: string, kind: string, inputId: string, fingerprint: string): boolean {
      if (claimRow.run(principal, `${kind}:${inputId}`, fingerprint, new Date().toISOString()).changes === 1)
        return true;
      if (claimed.get(principal, `${kind}:${inputId}`)?.fingerprint === fingerprint) return false;
      throw new IllegalStateError(
        `${kind} id ${inputId} was already used by ${principal} for another ${kind}: a new ${kind} needs a new id`,
        `${kind}-id-reused`,
        { params: { [`${kind}Id`]: inputId } },
      );
    },
    /** Gives a claim back when the input it was made for was refused, so a corrected input may use the id. */
    releaseInput(principal: string, kind: string, inputId: string, fingerprint: string): void {
      unclaim.run(principal, `${kind}:${inputId}`, fingerprint);
    },
    close(): void {
      clearInterval(pruning);
      db.close();
    },
  };
};

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
