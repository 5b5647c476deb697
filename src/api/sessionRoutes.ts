import { ROLES } from '../domain/people';
import { NotFoundError } from '../domain/errors';
import type { RouteSpec } from './routes';
import { browserAnswer, callerOf, clearSessionCookie, personOf, setSessionCookie, type SecurityApi } from './security';

const str = (body: Record<string, unknown>, name: string): string => body[name] as string;

/** Logins, logout, and what a person does for themselves: who am I, password, second factor, PIN, sessions. */
export const sessionRoutes = (deps: { security?: SecurityApi }): RouteSpec[] => {
  const sec = (): SecurityApi => deps.security as SecurityApi;
  const self = { tag: 'sessions', roles: ROLES, kind: 'security' as const };
  return [
    {
      method: 'post',
      path: '/api/session',
      summary: 'Log in with login and password: a session cookie, or a second-factor challenge',
      tag: 'sessions',
      roles: [],
      public: true,
      kind: 'security',
      body: 'commands/login',
      async handle(ctx) {
        const answer = await sec().logins.password(str(ctx.body, 'login'), str(ctx.body, 'password'), callerOf(ctx));
        if (answer.status !== 'session') return { body: answer };
        setSessionCookie(ctx.res, ctx.req.secure, answer, sec().sessionMaxMs);
        return { status: 201, body: browserAnswer(answer) };
      },
    },
    {
      method: 'post',
      path: '/api/session/second-factor',
      summary: 'Second step of a login: the challenge and a TOTP or recovery code give the session cookie',
      tag: 'sessions',
      roles: [],
      public: true,
      kind: 'security',
      body: 'commands/secondFactor',
      async handle(ctx) {
        const answer = await sec().logins.secondStep(str(ctx.body, 'challenge'), str(ctx.body, 'code'), callerOf(ctx));
        if (answer.status !== 'session') return { body: answer };
        setSessionCookie(ctx.res, ctx.req.secure, answer, sec().sessionMaxMs);
        return { status: 201, body: browserAnswer(answer) };
      },
    },
    {
      method: 'post',
      path: '/api/session/badge',
      summary:
        'An operator logs in on a registered device (its key as bearer) with badge and PIN: a shop-floor session',
      tag: 'sessions',
      roles: ['device'],
      kind: 'security',
      body: 'commands/badgeLogin',
      async handle(ctx) {
        const session = await sec().logins.badge(
          ctx.principal,
          str(ctx.body, 'badgeId'),
          str(ctx.body, 'pin'),
          callerOf(ctx),
        );
        return { status: 201, body: session };
      },
    },
    {
      ...self,
      method: 'delete',
      path: '/api/session',
      summary: 'Log out: the session ends',
      allowPending: true,
      async handle(ctx) {
        personOf(ctx.principal);
        const session = await sec().auth.sessions.byId(ctx.principal.sessionId as string);
        if (session) await sec().auth.sessions.end(session, 'logout', undefined, ctx.requestId);
        clearSessionCookie(ctx.res, ctx.req.secure);
        return { body: { sessionId: ctx.principal.sessionId, ended: true } };
      },
    },
    {
      ...self,
      method: 'get',
      path: '/api/me',
      summary: 'Who is calling: the person and session, or the key; roles and any step pending',
      allowPending: true,
      async handle(ctx) {
        const { name, via, roles, pending, personId, deviceId, sessionId, sessionKind, keyId } = ctx.principal;
        const person = personId && via === 'session' ? await sec().people.get(personId) : undefined;
        return {
          body: {
            name,
            via,
            roles,
            pending,
            personId,
            keyId,
            deviceId,
            sessionId,
            sessionKind,
            displayName: person?.displayName,
            // where the person works: a PDA lists those work centers' operations
            workCenters: person?.workCenters ?? [],
          },
        };
      },
    },
    {
      ...self,
      method: 'post',
      path: '/api/me/password',
      summary: 'Change one’s own password (the current one, then a new one that meets the rule)',
      allowPending: true,
      body: 'commands/changePassword',
      async handle(ctx) {
        const personId = personOf(ctx.principal);
        await sec().people.changeOwnPassword(
          personId,
          str(ctx.body, 'currentPassword'),
          str(ctx.body, 'newPassword'),
          ctx.meta,
          ctx.requestId,
        );
        return { body: { personId, changed: true } };
      },
    },
    {
      ...self,
      method: 'post',
      path: '/api/me/second-factor',
      summary: 'Begin TOTP enrolment: a secret and its otpauth URI for an authenticator app',
      allowPending: true,
      body: 'commands/empty',
      async handle(ctx) {
        personOf(ctx.principal);
        return { body: await sec().enrolment.begin(ctx.principal) };
      },
    },
    {
      ...self,
      method: 'post',
      path: '/api/me/second-factor/confirm',
      summary: 'Confirm TOTP enrolment with a first code: the recovery codes, shown once',
      allowPending: true,
      body: 'commands/confirmSecondFactor',
      async handle(ctx) {
        return { body: await sec().enrolment.confirm(ctx.principal, str(ctx.body, 'code'), ctx.requestId) };
      },
    },
    {
      ...self,
      method: 'post',
      path: '/api/me/pin',
      summary: 'Change one’s own badge PIN (6 to 8 digits)',
      body: 'commands/changePin',
      async handle(ctx) {
        const personId = personOf(ctx.principal);
        await sec().people.changeOwnPin(personId, str(ctx.body, 'pin'), ctx.meta, ctx.requestId);
        return { body: { personId, changed: true } };
      },
    },
    {
      ...self,
      method: 'get',
      path: '/api/me/sessions',
      summary: 'One’s own open sessions (browser and shop floor)',
      allowPending: true,
      async handle(ctx) {
        const sessions = await sec().auth.sessions.open({ personId: personOf(ctx.principal) });
        return { body: sessions.map((s) => sessionView(s, ctx.principal.sessionId)) };
      },
    },
    {
      ...self,
      method: 'delete',
      path: '/api/me/sessions/:sessionId',
      summary: 'End one of one’s own sessions',
      allowPending: true,
      async handle(ctx) {
        const personId = personOf(ctx.principal);
        const session = await sec().auth.sessions.byId(ctx.params['sessionId'] as string);
        if (!session || session.personId !== personId) throw new NotFoundError('no such open session of yours');
        await sec().auth.sessions.end(session, 'revoked', personId, ctx.requestId);
        return { body: { sessionId: session.sessionId, ended: true } };
      },
    },
  ];
};

/** A session as listed: never its token or CSRF hash. */
export const sessionView = (
  s: {
    sessionId: string;
    kind: string;
    personId: string;
    deviceId?: string;
    createdAt: number;
    lastSeenAt: number;
    expiresAt: number;
    address: string;
  },
  current?: string,
) => ({
  sessionId: s.sessionId,
  kind: s.kind,
  personId: s.personId,
  deviceId: s.deviceId ?? null,
  address: s.address,
  createdAt: new Date(s.createdAt).toISOString(),
  lastSeenAt: new Date(s.lastSeenAt).toISOString(),
  expiresAt: new Date(s.expiresAt).toISOString(),
  current: s.sessionId === current,
});
