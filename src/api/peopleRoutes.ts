import { NotFoundError } from '../domain/errors';
import type { PersonProfile, Role } from '../domain/people';
import type { RouteContext, RouteSpec } from './routes';
import type { SecurityApi } from './security';
import { sessionView } from './sessionRoutes';

const person = (ctx: RouteContext): string => ctx.params['personId'] as string;
const profileOf = (ctx: RouteContext, personId: string): Omit<PersonProfile, 'roles'> => ({
  personId,
  displayName: ctx.body['displayName'] as string,
  workCenters: (ctx.body['workCenters'] as string[] | undefined) ?? [],
  ...(ctx.body['employeeNumber'] ? { employeeNumber: ctx.body['employeeNumber'] as string } : {}),
  ...(ctx.body['badgeId'] ? { badgeId: ctx.body['badgeId'] as string } : {}),
});

/** People and their sessions: the security administrator's routes. */
export const peopleRoutes = (deps: { security?: SecurityApi }): RouteSpec[] => {
  const people = () => (deps.security as SecurityApi).people;
  const sessions = () => (deps.security as SecurityApi).auth.sessions;
  const admin = { tag: 'people', roles: ['secadmin'] as const, kind: 'security' as const };
  const step = (
    name: string,
    summary: string,
    body: string,
    act: (ctx: RouteContext) => Promise<unknown>,
  ): RouteSpec => ({
    ...admin,
    method: 'post',
    path: `/api/people/:personId/${name}`,
    summary,
    body,
    handle: async (ctx) => ({ body: await act(ctx) }),
  });
  return [
    {
      ...admin,
      method: 'get',
      path: '/api/people',
      summary: 'Every person: profile, roles, status, whether a PIN and a second factor are set',
      handle: async () => ({ body: await people().list() }),
    },
    {
      ...admin,
      method: 'post',
      path: '/api/people',
      summary: 'Register a person: the answer has a one-time password, to be changed at the first login',
      body: 'commands/registerPerson',
      async handle(ctx) {
        const personId = ctx.body['personId'] as string;
        const profile = { ...profileOf(ctx, personId), roles: ctx.body['roles'] as Role[] };
        return { status: 201, body: await people().register(profile, ctx.meta, ctx.requestId) };
      },
    },
    {
      ...admin,
      method: 'get',
      path: '/api/people/:personId',
      summary: 'One person',
      handle: async (ctx) => ({ body: await people().get(person(ctx)) }),
    },
    {
      ...admin,
      method: 'put',
      path: '/api/people/:personId',
      summary: 'Change a person’s display name, work centers, employee number or badge id',
      body: 'commands/personProfile',
      handle: async (ctx) => ({
        body: await people().changeProfile(profileOf(ctx, person(ctx)), ctx.meta, ctx.requestId),
      }),
    },
    {
      ...admin,
      method: 'put',
      path: '/api/people/:personId/roles',
      summary: 'Change a person’s roles (never one’s own; administrators kept apart)',
      body: 'commands/personRoles',
      handle: async (ctx) => ({
        body: await people().changeRoles(person(ctx), ctx.body['roles'] as Role[], ctx.meta, ctx.requestId),
      }),
    },
    step(
      'password-reset',
      'Reset a password: a one-time password in the answer, the person’s sessions end',
      'commands/empty',
      (ctx) => people().resetPassword(person(ctx), ctx.meta, ctx.requestId),
    ),
    step('pin', 'Issue a badge PIN: in the answer once, to hand to the operator', 'commands/empty', (ctx) =>
      people().issuePin(person(ctx), ctx.meta, ctx.requestId),
    ),
    step(
      'second-factor-reset',
      'Reset a person’s second factor: they enrol again at their next login',
      'commands/reason',
      (ctx) => people().resetSecondFactor(person(ctx), ctx.body['reason'] as string, ctx.meta, ctx.requestId),
    ),
    step('disable', 'Disable a person: no login, every session ends', 'commands/reason', (ctx) =>
      people().disable(person(ctx), ctx.body['reason'] as string, ctx.meta, ctx.requestId),
    ),
    step('enable', 'Enable a disabled person', 'commands/empty', (ctx) =>
      people().enable(person(ctx), ctx.meta, ctx.requestId),
    ),
    {
      ...admin,
      method: 'get',
      path: '/api/sessions',
      summary: 'Every open session, browser and shop floor',
      handle: async () => ({ body: (await sessions().open({})).map((s) => sessionView(s)) }),
    },
    {
      ...admin,
      method: 'delete',
      path: '/api/sessions/:sessionId',
      summary: 'End anyone’s session',
      async handle(ctx) {
        const session = await sessions().byId(ctx.params['sessionId'] as string);
        if (!session) throw new NotFoundError(`no open session ${ctx.params['sessionId']}`);
        await sessions().end(session, 'revoked', ctx.principal.name, ctx.requestId);
        return { body: { sessionId: session.sessionId, ended: true } };
      },
    },
  ];
};
