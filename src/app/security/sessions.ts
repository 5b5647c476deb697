import { randomBytes } from 'node:crypto';
import { needsSecondFactor, SECOND_FACTOR_ROLES, type Role } from '../../domain/people';
import type { SessionEndReason, LoginFailure } from '../../domain/security';
import type { CommandHandler } from '../commandHandler';
import type { ApiKeyService } from './apiKeys';
import type { KnownPerson } from './directory';
import type { PendingStep, Principal } from './principal';
import { randomToken, sameHex, sha256Hex } from './secrets';
import type { SecurityLog } from './securityLog';
import type { SessionKind, SessionRecord, SessionStore } from './sessionStore';

export type SessionOptions = {
  /** A session unused this long ends. Default 30 min. */
  idleMs: number;
  /** A session ends this long after login, used or not. Default 12 h. */
  maxMs: number;
};

export type SessionCheck =
  { ok: true; principal: Principal; session: SessionRecord } | { ok: false; reason: LoginFailure; subject?: string };

export type NewSession = {
  sessionId: string;
  token: string;
  csrfToken?: string;
  expiresAt: string;
  personId: string;
  displayName: string;
  roles: Role[];
  pending: PendingStep[];
};

/** What a person must still do before anything else, from the account as it is now. */
export const pendingOf = (person: KnownPerson, kind: SessionKind): PendingStep[] =>
  kind === 'shopfloor'
    ? []
    : [
        ...(person.password.mustChange ? (['password-change'] as const) : []),
        ...(needsSecondFactor(person.profile.roles) && !person.secondFactor
          ? (['second-factor-enrolment'] as const)
          : []),
      ];

/** A shop-floor session carries the person's shop-floor roles only: no administration from a PDA. */
export const shopFloorRoles = (person: KnownPerson): Role[] =>
  person.profile.roles.filter((r) => r !== 'device' && !SECOND_FACTOR_ROLES.includes(r));
const rolesOf = (person: KnownPerson, kind: SessionKind): Role[] =>
  kind === 'browser' ? person.profile.roles : shopFloorRoles(person);

/**
 * Sessions kept server-side: a token (cookie or bearer) maps to a person, checked on every request
 * against the idle timeout, the absolute lifetime, the account as it is now, and for a shop-floor
 * session the key of the device it is bound to.
 */
export const createSessions = (deps: {
  store: SessionStore;
  commands: CommandHandler;
  keys: ApiKeyService;
  log: SecurityLog;
  options: SessionOptions;
  now: () => Date;
}) => {
  const { store, options } = deps;
  // an idle timeout of minutes needs no write per request; a short one (tests) gets a finer touch
  const touchEvery = Math.min(5_000, options.idleMs / 4);
  const end = async (
    session: SessionRecord,
    reason: SessionEndReason,
    by: string | undefined,
    correlationId: string,
  ) => {
    if (!(await store.end(session.sessionId, reason, deps.now().getTime()))) return false;
    await deps.log.record(
      {
        type: 'SessionEnded',
        data: { sessionId: session.sessionId, subject: session.personId, reason, ...(by ? { by } : {}) },
      },
      by ?? session.personId,
      correlationId,
    );
    return true;
  };
  const person = async (personId: string): Promise<KnownPerson | undefined> => {
    const { state } = await deps.commands.load('person', personId);
    return state.status === 'Initial' ? undefined : state;
  };
  return {
    end,
    person,
    async start(
      who: KnownPerson,
      kind: SessionKind,
      address: string,
      correlationId: string,
      method: 'password' | 'second-factor' | 'recovery-code' | 'badge',
      deviceId?: string,
    ): Promise<NewSession> {
      const at = deps.now().getTime();
      const token = `ses_${randomToken(32)}`;
      const csrfToken = kind === 'browser' ? randomToken(24) : undefined;
      const session: SessionRecord = {
        sessionId: randomBytes(12).toString('hex'),
        tokenHash: sha256Hex(token),
        kind,
        personId: who.profile.personId,
        createdAt: at,
        lastSeenAt: at,
        expiresAt: at + options.maxMs,
        address,
        ...(csrfToken ? { csrfHash: sha256Hex(csrfToken) } : {}),
        ...(deviceId ? { deviceId } : {}),
      };
      await store.create(session);
      await deps.log.record(
        {
          type: 'LoginSucceeded',
          data: {
            method,
            subject: session.personId,
            sessionId: session.sessionId,
            address,
            ...(deviceId ? { deviceId } : {}),
          },
        },
        session.personId,
        correlationId,
      );
      return {
        sessionId: session.sessionId,
        token,
        ...(csrfToken ? { csrfToken } : {}),
        expiresAt: new Date(session.expiresAt).toISOString(),
        personId: session.personId,
        displayName: who.profile.displayName,
        roles: rolesOf(who, kind),
        pending: pendingOf(who, kind),
      };
    },
    /** A session token to its principal; an expired, idle or orphaned session is ended on the way. */
    async check(token: string, deviceToken: string | undefined, correlationId: string): Promise<SessionCheck> {
      const session = /^ses_[A-Za-z0-9_-]{43}$/.test(token) ? await store.byToken(sha256Hex(token)) : undefined;
      if (!session) return { ok: false, reason: 'unknown-session' };
      const at = deps.now().getTime();
      const subject = session.personId;
      if (at >= session.expiresAt) {
        await end(session, 'expired', undefined, correlationId);
        return { ok: false, reason: 'unknown-session', subject };
      }
      if (at - session.lastSeenAt > options.idleMs) {
        await end(session, 'idle', undefined, correlationId);
        return { ok: false, reason: 'unknown-session', subject };
      }
      const who = await person(subject);
      if (!who || who.status !== 'Active') {
        await end(session, 'disabled', undefined, correlationId);
        return { ok: false, reason: 'disabled', subject };
      }
      if (session.kind === 'shopfloor') {
        const device = deviceToken ? await deps.keys.check(deviceToken) : undefined;
        if (!device?.ok || device.principal.deviceId !== session.deviceId)
          return { ok: false, reason: 'device-mismatch', subject };
      }
      if (at - session.lastSeenAt >= touchEvery) await store.touch(session.sessionId, at);
      return {
        ok: true,
        session,
        principal: {
          name: subject,
          roles: rolesOf(who, session.kind),
          via: 'session',
          personId: subject,
          sessionId: session.sessionId,
          sessionKind: session.kind,
          pending: pendingOf(who, session.kind),
          ...(session.deviceId ? { deviceId: session.deviceId } : {}),
        },
      };
    },
    csrfMatches: (session: SessionRecord, csrfToken: string | undefined): boolean =>
      !!csrfToken && !!session.csrfHash && sameHex(sha256Hex(csrfToken), session.csrfHash),
    open: (filter: { personId?: string; deviceId?: string }) => store.open(filter),
    byId: (sessionId: string) => store.byId(sessionId),
    /** Ends every open session of a person (a disabled account, a reset password), or of a device. */
    async endAll(
      filter: { personId?: string; deviceId?: string },
      reason: SessionEndReason,
      by: string,
      correlationId: string,
    ) {
      let ended = 0;
      for (const session of await store.open(filter)) if (await end(session, reason, by, correlationId)) ended += 1;
      return ended;
    },
  };
};

export type Sessions = ReturnType<typeof createSessions>;
