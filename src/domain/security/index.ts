import type * as Schema from '../generated';
import type { Event } from '../messages';

/**
 * The security audit trail beside the people, device and key streams: one stream per UTC day,
 * `security-<yyyy-mm-dd>`, written only by the backbone itself (no route appends to it).
 */
export type LoginMethod = Schema.LoginSucceededV1['method'];
export type LoginFailure = Schema.LoginFailedV1['reason'];
export type SessionEndReason = Schema.SessionEndedV1['reason'];

export type LoginSucceeded = Event<
  'LoginSucceeded',
  { method: LoginMethod; subject: string; sessionId: string; address: string; deviceId?: string }
>;
export type LoginFailed = Event<
  'LoginFailed',
  { method: LoginMethod; reason: LoginFailure; address: string; subject?: string }
>;
export type LoginLockedOut = Event<
  'LoginLockedOut',
  { scope: 'account' | 'address'; subject: string; address: string; failures: number; until: string }
>;
export type SessionEnded = Event<
  'SessionEnded',
  { sessionId: string; subject: string; reason: SessionEndReason; by?: string }
>;
export type AccessDenied = Event<
  'AccessDenied',
  { method: string; route: string; needed: string[]; held: string[]; address: string; rule?: string }
>;
/** A traceability or audit read: who (the event's actor), what, which range, from where. */
export type TraceabilityRead = Event<
  'TraceabilityRead',
  { method: string; route: string; params: Record<string, string>; query: Record<string, string>; address: string }
>;
export type ConfigurationLoaded = Event<'ConfigurationLoaded', Schema.ConfigurationLoadedV1>;
/** The operation card key was rotated (`npm run keys -- rotate-card`): who, which keys, until when old cards hold. */
export type CardKeyRotated = Event<'CardKeyRotated', Schema.CardKeyRotatedV1>;

export type SecurityEvent =
  | LoginSucceeded
  | LoginFailed
  | LoginLockedOut
  | SessionEnded
  | AccessDenied
  | TraceabilityRead
  | ConfigurationLoaded
  | CardKeyRotated;

export const securityEventTypes = [
  'LoginSucceeded',
  'LoginFailed',
  'LoginLockedOut',
  'SessionEnded',
  'AccessDenied',
  'TraceabilityRead',
  'ConfigurationLoaded',
  'CardKeyRotated',
] as const satisfies readonly SecurityEvent['type'][];

/** Categories whose streams make up the security audit trail; business auditors do not read them. */
export const SECURITY_CATEGORIES = ['security', 'person', 'device', 'apikey'] as const;

export const isSecurityStream = (streamId: string): boolean =>
  (SECURITY_CATEGORIES as readonly string[]).includes(streamId.slice(0, streamId.indexOf('-')));

/** The day stream an instant's security events go to. */
export const securityStreamOf = (at: string): string => `security-${new Date(at).toISOString().slice(0, 10)}`;
