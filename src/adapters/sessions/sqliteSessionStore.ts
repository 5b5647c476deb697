import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { FailureCount, SessionRecord, SessionStore } from '../../app/security/sessionStore';
import { SMALL_PAGE_CACHE_KIB, limitPageCache } from '../../lib/sqlitePageCache';

type Row = {
  session_id: string;
  token_hash: string;
  kind: 'browser' | 'shopfloor';
  person_id: string;
  device_id: string | null;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  csrf_hash: string | null;
  address: string;
  pending_totp: string | null;
};

const toRecord = (row: Row): SessionRecord => ({
  sessionId: row.session_id,
  tokenHash: row.token_hash,
  kind: row.kind,
  personId: row.person_id,
  createdAt: row.created_at,
  lastSeenAt: row.last_seen_at,
  expiresAt: row.expires_at,
  address: row.address,
  ...(row.device_id ? { deviceId: row.device_id } : {}),
  ...(row.csrf_hash ? { csrfHash: row.csrf_hash } : {}),
  ...(row.pending_totp ? { pendingTotp: row.pending_totp } : {}),
});

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  session_id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, person_id TEXT NOT NULL,
  device_id TEXT, created_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
  csrf_hash TEXT, address TEXT NOT NULL, pending_totp TEXT, ended_at INTEGER, end_reason TEXT);
CREATE INDEX IF NOT EXISTS sessions_person ON sessions (person_id) WHERE ended_at IS NULL;
CREATE INDEX IF NOT EXISTS sessions_device ON sessions (device_id) WHERE ended_at IS NULL;
CREATE TABLE IF NOT EXISTS login_failures (
  scope TEXT PRIMARY KEY, failures INTEGER NOT NULL, first_at INTEGER NOT NULL, locked_until INTEGER) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS challenges (
  challenge_hash TEXT PRIMARY KEY, person_id TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS key_use (key_id TEXT PRIMARY KEY, last_used_at INTEGER NOT NULL) WITHOUT ROWID;
`;

/** Sessions, login failures, second-factor challenges and key use in one SQLite file (`$DATA_DIR/sessions.db`). */
export const createSqliteSessionStore = (path: string): SessionStore => {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  limitPageCache(db, SMALL_PAGE_CACHE_KIB);
  db.exec(SCHEMA);
  const open = 'ended_at IS NULL';
  const s = {
    insert: db.prepare(
      `INSERT INTO sessions (session_id, token_hash, kind, person_id, device_id, created_at, last_seen_at, expires_at, csrf_hash, address)
       VALUES (@sessionId, @tokenHash, @kind, @personId, @deviceId, @createdAt, @lastSeenAt, @expiresAt, @csrfHash, @address)`,
    ),
    byToken: db.prepare<[string], Row>(`SELECT * FROM sessions WHERE token_hash = ? AND ${open}`),
    byId: db.prepare<[string], Row>(`SELECT * FROM sessions WHERE session_id = ? AND ${open}`),
    touch: db.prepare('UPDATE sessions SET last_seen_at = ? WHERE session_id = ? AND last_seen_at < ?'),
    totp: db.prepare('UPDATE sessions SET pending_totp = ? WHERE session_id = ?'),
    end: db.prepare(`UPDATE sessions SET ended_at = ?, end_reason = ? WHERE session_id = ? AND ${open}`),
    byPerson: db.prepare<[string], Row>(`SELECT * FROM sessions WHERE person_id = ? AND ${open} ORDER BY created_at`),
    byDevice: db.prepare<[string], Row>(`SELECT * FROM sessions WHERE device_id = ? AND ${open} ORDER BY created_at`),
    all: db.prepare<[], Row>(`SELECT * FROM sessions WHERE ${open} ORDER BY created_at`),
    failure: db.prepare<[string], { failures: number; first_at: number; locked_until: number | null }>(
      'SELECT failures, first_at, locked_until FROM login_failures WHERE scope = ?',
    ),
    putFailure: db.prepare(
      'INSERT OR REPLACE INTO login_failures (scope, failures, first_at, locked_until) VALUES (?, ?, ?, ?)',
    ),
    clear: db.prepare('DELETE FROM login_failures WHERE scope = ?'),
    putChallenge: db.prepare('INSERT INTO challenges (challenge_hash, person_id, expires_at) VALUES (?, ?, ?)'),
    challenge: db.prepare<[string], { person_id: string; expires_at: number }>(
      'SELECT person_id, expires_at FROM challenges WHERE challenge_hash = ?',
    ),
    dropChallenge: db.prepare('DELETE FROM challenges WHERE challenge_hash = ? OR expires_at < ?'),
    keyUsed: db.prepare('INSERT OR REPLACE INTO key_use (key_id, last_used_at) VALUES (?, ?)'),
    keysUsed: db.prepare<[], { key_id: string; last_used_at: number }>('SELECT key_id, last_used_at FROM key_use'),
  };
  const fail = db.transaction((scope: string, at: number, windowMs: number, max: number): FailureCount => {
    const row = s.failure.get(scope);
    const fresh = !row || row.first_at + windowMs < at;
    const failures = fresh ? 1 : row.failures + 1;
    const lockedUntil = failures >= max ? at + windowMs : undefined;
    s.putFailure.run(scope, failures, fresh ? at : row.first_at, lockedUntil ?? null);
    return { failures, ...(lockedUntil ? { lockedUntil } : {}) };
  });
  const take = db.transaction((hash: string, at: number): string | undefined => {
    const row = s.challenge.get(hash);
    s.dropChallenge.run(hash, at);
    return row && row.expires_at >= at ? row.person_id : undefined;
  });
  return {
    async create(session) {
      s.insert.run({ deviceId: null, csrfHash: null, ...session });
    },
    async byToken(tokenHash) {
      const row = s.byToken.get(tokenHash);
      return row ? toRecord(row) : undefined;
    },
    async byId(sessionId) {
      const row = s.byId.get(sessionId);
      return row ? toRecord(row) : undefined;
    },
    async touch(sessionId, at) {
      s.touch.run(at, sessionId, at);
    },
    async setPendingTotp(sessionId, sealed) {
      s.totp.run(sealed ?? null, sessionId);
    },
    async end(sessionId, reason, at) {
      return s.end.run(at, reason, sessionId).changes > 0;
    },
    async open(filter) {
      const rows = filter.personId
        ? s.byPerson.all(filter.personId)
        : filter.deviceId
          ? s.byDevice.all(filter.deviceId)
          : s.all.all();
      return rows.map(toRecord).filter((r) => !filter.deviceId || r.deviceId === filter.deviceId);
    },
    async fail(scope, at, windowMs, max) {
      return fail(scope, at, windowMs, max);
    },
    async lockedUntil(scope, at) {
      const until = s.failure.get(scope)?.locked_until;
      return until && until > at ? until : undefined;
    },
    async clearFailures(scope) {
      s.clear.run(scope);
    },
    async putChallenge(challengeHash, personId, expiresAt) {
      s.putChallenge.run(challengeHash, personId, expiresAt);
    },
    async takeChallenge(challengeHash, at) {
      return take(challengeHash, at);
    },
    async keyUsed(keyId, at) {
      s.keyUsed.run(keyId, at);
    },
    async keysLastUsed() {
      return new Map(s.keysUsed.all().map((r) => [r.key_id, r.last_used_at]));
    },
    async close() {
      db.close();
    },
  };
};
