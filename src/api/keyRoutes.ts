import type { RouteContext, RouteSpec } from './routes';
import type { SecurityApi } from './security';

const keyId = (ctx: RouteContext): string => ctx.params['keyId'] as string;

/** API keys for machines and integrations: made, rotated and revoked by the security administrator. */
export const keyRoutes = (deps: { security?: SecurityApi }): RouteSpec[] => {
  const keys = () => (deps.security as SecurityApi).auth.keys;
  const admin = { tag: 'keys', roles: ['secadmin'] as const, kind: 'security' as const };
  return [
    {
      ...admin,
      method: 'get',
      path: '/api/keys',
      summary: 'Every API key: name, owner, roles, expiry, status, last use (never a secret)',
      handle: async () => ({ body: await keys().list() }),
    },
    {
      ...admin,
      method: 'post',
      path: '/api/keys',
      summary: 'Make an API key: its token `<keyId>.<secret>` is in the answer once',
      body: 'commands/createKey',
      async handle(ctx) {
        const key = {
          name: ctx.body['name'] as string,
          owner: ctx.body['owner'] as string,
          roles: ctx.body['roles'] as string[],
          ...(ctx.body['expiresAt'] ? { expiresAt: ctx.body['expiresAt'] as string } : {}),
        };
        return { status: 201, body: await keys().create(key, ctx.meta, ctx.requestId) };
      },
    },
    {
      ...admin,
      method: 'post',
      path: '/api/keys/:keyId/rotate',
      summary: 'Rotate a key: a new token in the answer, the old one refused from the next request',
      body: 'commands/rotateKey',
      handle: async (ctx) => ({
        body: await keys().rotate(keyId(ctx), ctx.body['expiresAt'] as string | undefined, ctx.meta, ctx.requestId),
      }),
    },
    {
      ...admin,
      method: 'post',
      path: '/api/keys/:keyId/revoke',
      summary: 'Revoke a key: refused from the next request on',
      body: 'commands/reason',
      async handle(ctx) {
        await keys().revoke(keyId(ctx), ctx.body['reason'] as string, ctx.meta, ctx.requestId);
        return { body: { keyId: keyId(ctx), revoked: true } };
      },
    },
  ];
};
