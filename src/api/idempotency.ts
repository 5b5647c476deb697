import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { IllegalStateError } from '../domain/errors';

export type StoredResponse = { status: number; body: unknown; headers: Record<string, string> };

/**
 * First answers to requests that carried an Idempotency-Key: a retry gets the same answer and writes
 * nothing. A key is the caller's own (scoped by API key name); reused for another request, it is refused (409, rule idempotency-key-reused).
 */
export const createIdempotencyStore = (path: string) => {
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
  return {
    find(principal: string, key: string, fingerprint: string): StoredResponse | undefined {
      const row = get.get(principal, key);
      if (!row) return undefined;
      if (row.fingerprint !== fingerprint) {
        throw new IllegalStateError(`Idempotency-Key ${key} was used for another request`, 'idempotency-key-reused');
      }
      return JSON.parse(row.response) as StoredResponse;
    },
    save(principal: string, key: string, fingerprint: string, response: StoredResponse): void {
      put.run(principal, key, fingerprint, JSON.stringify(response), new Date().toISOString());
    },
    close(): void {
      db.close();
    },
  };
};

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
