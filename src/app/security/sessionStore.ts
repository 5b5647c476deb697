import type { SessionEndReason } from '../../domain/security';

/** A browser session (cookie) or a shop-floor session (an operator on one device). */
export type SessionKind = 'browser' | 'shopfloor';

/** Sessions are operational state kept server-side; their start and end are security events. */
export type SessionRecord = {
  sessionId: string;
  /** SHA-256 of the session token: the token itself is never stored. */
  tokenHash: string;
  kind: SessionKind;
  personId: string;
  /** The device a shop-floor session is bound to. */
  deviceId?: string;
  /** Epoch milliseconds. */
  createdAt: number;
  lastSeenAt: number;
  /** The absolute end, whatever the activity. */
  expiresAt: number;
  /** SHA-256 of the CSRF token a cookie-authenticated write must carry. */
  csrfHash?: string;
  address: string;
  /** A TOTP secret being enrolled, sealed, until its first code confirms it. */
  pendingTotp?: string;
};

export type FailureCount = { failures: number; lockedUntil?: number };

/** The session store port (SQLite in DATA_DIR by default): sessions, login failures, second-factor challenges, key use. */
export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  /** An open session by the hash of its token. */
  byToken(tokenHash: string): Promise<SessionRecord | undefined>;
  byId(sessionId: string): Promise<SessionRecord | undefined>;
  touch(sessionId: string, at: number): Promise<void>;
  setPendingTotp(sessionId: string, sealed: string | undefined): Promise<void>;
  /** Ends an open session; false when it was not open. */
  end(sessionId: string, reason: SessionEndReason, at: number): Promise<boolean>;
  open(filter: { personId?: string; deviceId?: string }): Promise<SessionRecord[]>;
  /** Counts a failure of a scope (`account:li.wei`, `address:10.0.0.7`) in a window; locks at `max`. */
  fail(scope: string, at: number, windowMs: number, max: number): Promise<FailureCount>;
  lockedUntil(scope: string, at: number): Promise<number | undefined>;
  clearFailures(scope: string): Promise<void>;
  putChallenge(challengeHash: string, personId: string, expiresAt: number): Promise<void>;
  /** A second-factor challenge is good once. */
  takeChallenge(challengeHash: string, at: number): Promise<string | undefined>;
  keyUsed(keyId: string, at: number): Promise<void>;
  keysLastUsed(): Promise<Map<string, number>>;
  close(): Promise<void>;
}
