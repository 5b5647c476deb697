import type { Response } from 'express';
import type { PeopleService } from '../app/people/peopleService';
import type { DeviceService } from '../app/security/devices';
import type { Enrolment } from '../app/security/enrolment';
import type { Logins } from '../app/security/logins';
import type { Principal } from '../app/security/principal';
import type { NewSession } from '../app/security/sessions';
import { IllegalStateError } from '../domain/errors';
import { addressOf, SESSION_COOKIE, type AuthDeps } from './auth';
import type { RouteContext } from './routes';

/** What the security routes need: authentication, logins, enrolment, people, devices, the configuration shown to the sysadmin. */
export type SecurityApi = {
  auth: AuthDeps;
  logins: Logins;
  enrolment: Enrolment;
  people: PeopleService;
  devices: DeviceService;
  /** The configuration of this start, secrets masked. */
  configuration: Record<string, unknown>;
  /** The absolute lifetime of a session (the cookie's Max-Age). */
  sessionMaxMs: number;
};

export const callerOf = (ctx: RouteContext) => ({ address: addressOf(ctx.req), correlationId: ctx.requestId });

/** The person of a session, or 409 for a key. */
export const personOf = (principal: Principal): string => {
  if (principal.via !== 'session' || !principal.personId)
    throw new IllegalStateError('this is for a person logged in, not for an API key', 'not-a-session');
  return principal.personId;
};

/** A browser session's cookie: HttpOnly, SameSite=Strict, Secure when the request came over TLS. */
export const setSessionCookie = (res: Response, secure: boolean, session: NewSession, maxMs: number): void => {
  res.cookie(SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: maxMs });
};

export const clearSessionCookie = (res: Response, secure: boolean): void => {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
};

/** A new browser session as answered: the CSRF token, never the session token (it is in the cookie). */
export const browserAnswer = ({ token: _token, ...session }: NewSession & { status?: string }) => ({
  ...session,
  status: session.pending.length > 0 ? 'pending' : 'active',
});
