import type { Request, RequestHandler } from 'express';
import type { ApiKeyService } from '../app/security/apiKeys';
import type { FailureRecorder } from '../app/security/failures';
import type { Principal } from '../app/security/principal';
import { sha256Hex } from '../app/security/secrets';
import type { SecurityLog } from '../app/security/securityLog';
import type { Sessions } from '../app/security/sessions';
import type { Throttle } from '../app/security/throttle';
import { ForbiddenError, UnauthenticatedError } from '../domain/errors';
import type { Role } from '../domain/people';

export { ROLES, type Role } from '../domain/people';
export type { Principal } from '../app/security/principal';

/** The unsalted SHA-256 of the old key file (`schemas/config/apiKeys.json`), read only to import it. */
export const hashToken = (token: string): string => sha256Hex(token);

export const SESSION_COOKIE = 'mes_session';

/** What authentication needs: the key registry, the sessions, the failure throttle and the security log. */
export type AuthDeps = {
  keys: ApiKeyService;
  sessions: Sessions;
  throttle: Throttle;
  recordFailure: FailureRecorder;
  log: SecurityLog;
};

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    /** The server's id of the request: the correlation id of what it writes. */
    requestId?: string;
    /** The client's X-Request-Id, when it sent a valid one: echoed, and recorded beside the server's. */
    clientRequestId?: string;
    /** When the request reached the API (process.hrtime.bigint()): its latency is measured from there. */
    receivedAt?: bigint;
  }
}

/**
 * The caller's address: X-Forwarded-For's, as express reads it, only where a proxy is trusted (`trust proxy`);
 * else the connection's own, without parsing a header nobody is believed for (express would, each request).
 */
export const addressOf = (req: Request): string =>
  ((req.app.get('trust proxy') ? req.ip : req.socket.remoteAddress) ?? 'unknown').slice(0, 100);

export const cookieOf = (req: Request, name: string): string | undefined => {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return decodeURIComponent(part.slice(at + 1).trim());
  }
  return undefined;
};

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A cookie-authenticated write must carry the session's CSRF token in `X-CSRF-Token`, and must not
 * come from another site (Origin, when sent, is this host; Sec-Fetch-Site, when sent, is same-origin).
 */
const crossSite = (req: Request): string | undefined => {
  const origin = req.get('origin');
  if (origin && origin !== `${req.protocol}://${req.host}`) return `Origin ${origin} is another site`;
  const site = req.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site is ${site}`;
  return undefined;
};

/**
 * The caller: `Authorization: Bearer` with an API key or a session token (a shop-floor session also
 * needs its device's key in `X-Device-Key`), or the session cookie. An unknown or refused credential
 * is 401, recorded with the source address; a locked address is 429 before anything is checked.
 */
export const authenticate =
  (deps: AuthDeps): RequestHandler =>
  async (req, _res, next) => {
    const address = addressOf(req);
    const correlationId = req.requestId as string;
    const header = req.get('authorization');
    const bearer = header ? /^Bearer ([A-Za-z0-9._~+/=-]{8,200})$/.exec(header)?.[1] : undefined;
    const cookie = bearer ? undefined : cookieOf(req, SESSION_COOKIE);
    if (!bearer && !cookie)
      return next(
        new UnauthenticatedError('a bearer token (Authorization: Bearer <API key>) or a session cookie is required'),
      );
    const viaSession = !bearer || bearer.startsWith('ses_');
    try {
      await deps.throttle.check(address);
    } catch (error) {
      await deps.recordFailure({ method: viaSession ? 'session' : 'key', reason: 'locked', address, correlationId });
      return next(error);
    }
    if (!viaSession) {
      const checked = await deps.keys.check(bearer);
      if (checked.ok) {
        req.principal = checked.principal;
        return next();
      }
      await deps.recordFailure({
        method: 'key',
        reason: checked.reason,
        address,
        subject: checked.subject,
        correlationId,
      });
      return next(new UnauthenticatedError('the API key is not accepted'));
    }
    const checked = await deps.sessions.check((bearer ?? cookie) as string, req.get('x-device-key'), correlationId);
    if (!checked.ok) {
      // a stale cookie is a browser coming back, not an attack: only bearer failures are counted
      if (bearer || checked.reason !== 'unknown-session')
        await deps.recordFailure({
          method: 'session',
          reason: checked.reason,
          address,
          subject: checked.subject,
          correlationId,
        });
      return next(new UnauthenticatedError('the session is not valid (ended, expired or idle): log in again'));
    }
    if (cookie && !SAFE.has(req.method)) {
      const foreign = crossSite(req);
      if (foreign) return next(new ForbiddenError(`a cross-site write is refused: ${foreign}`, 'csrf'));
      if (!deps.sessions.csrfMatches(checked.session, req.get('x-csrf-token')))
        return next(
          new ForbiddenError('a write with the session cookie needs the X-CSRF-Token given at login', 'csrf'),
        );
    }
    req.principal = checked.principal;
    next();
  };

/**
 * Allows the route's roles, and nothing for a person with a step pending (a password to change, a
 * second factor to enrol) but the routes that take that step. No role passes every check. A refusal
 * is a 403 and an AccessDenied security event.
 */
export const authorize =
  (
    route: { method: string; path: string; roles: readonly Role[]; allowPending?: true },
    log: SecurityLog,
  ): RequestHandler =>
  async (req, _res, next) => {
    const principal = req.principal as Principal;
    const pending = principal.pending[0];
    const denied =
      pending && !route.allowPending
        ? new ForbiddenError(
            pending === 'password-change'
              ? 'change the first or reset password first (POST /api/me/password)'
              : 'enrol a second factor first (POST /api/me/second-factor)',
            `${pending}-required`,
          )
        : principal.roles.some((role) => route.roles.includes(role))
          ? undefined
          : new ForbiddenError(
              `this route needs one of the roles ${route.roles.join(', ')}; ${principal.name} has ${principal.roles.join(', ') || 'none'}`,
              'role',
            );
    if (!denied) return next();
    await log.record(
      {
        type: 'AccessDenied',
        data: {
          method: route.method.toUpperCase(),
          route: route.path,
          needed: [...route.roles],
          held: principal.roles,
          address: addressOf(req),
          rule: denied.rule,
        },
      },
      principal.name,
      req.requestId as string,
    );
    next(denied);
  };
