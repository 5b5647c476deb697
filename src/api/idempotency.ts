import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { IllegalStateError } from '../domain/errors';

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
    close(): void {
      clearInterval(pruning);
      db.close();
    },
  };
};

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
