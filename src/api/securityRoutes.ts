import type { RouteContext, RouteSpec } from './routes';
import type { SecurityApi } from './security';

const device = (ctx: RouteContext): string => ctx.params['deviceId'] as string;

/** The system administrator's devices and configuration, and the audit administrator's security trail. */
export const securityRoutes = (deps: { security?: SecurityApi }): RouteSpec[] => {
  const sec = (): SecurityApi => deps.security as SecurityApi;
  const sys = { tag: 'devices', roles: ['sysadmin'] as const, kind: 'security' as const };
  const audit = { tag: 'security audit', roles: ['auditadmin'] as const, kind: 'trace' as const };
  return [
    {
      ...sys,
      method: 'get',
      path: '/api/devices',
      summary: 'Registered shop-floor devices (PDAs) and their keys',
      handle: async () => ({ body: await sec().devices.list() }),
    },
    {
      ...sys,
      method: 'post',
      path: '/api/devices',
      summary: 'Register a device: its key (role device) is in the answer once',
      body: 'commands/registerDevice',
      async handle(ctx) {
        const spec = {
          deviceId: ctx.body['deviceId'] as string,
          name: ctx.body['name'] as string,
          ...(ctx.body['workCenter'] ? { workCenter: ctx.body['workCenter'] as string } : {}),
        };
        return { status: 201, body: await sec().devices.register(spec, ctx.meta, ctx.requestId) };
      },
    },
    {
      ...sys,
      method: 'post',
      path: '/api/devices/:deviceId/rotate-key',
      summary: 'A new key for a device, the old one refused from the next request',
      body: 'commands/empty',
      handle: async (ctx) => ({ body: await sec().devices.rotateKey(device(ctx), ctx.meta, ctx.requestId) }),
    },
    {
      ...sys,
      method: 'post',
      path: '/api/devices/:deviceId/retire',
      summary: 'Retire a device: its key is revoked and its sessions end',
      body: 'commands/reason',
      handle: async (ctx) => ({
        body: await sec().devices.retire(device(ctx), ctx.body['reason'] as string, ctx.meta, ctx.requestId),
      }),
    },
    {
      ...sys,
      tag: 'system',
      method: 'get',
      path: '/api/system/configuration',
      summary: 'The configuration this process started with, secrets masked',
      handle: async () => ({ body: sec().configuration }),
    },
    {
      ...audit,
      method: 'get',
      path: '/api/security/events',
      summary:
        'The security audit trail: logins, failures, lockouts, sessions, changes of people, devices and keys, reads; by type, actor, from, to',
      query: 'queries/securityEvents',
      async handle(ctx) {
        const q = ctx.query;
        const found = await sec().auth.log.query({
          ...(q['type'] ? { types: q['type'].split(',') } : {}),
          ...(q['actor'] ? { actor: q['actor'] } : {}),
          ...(q['from'] ? { from: q['from'] } : {}),
          ...(q['to'] ? { to: q['to'] } : {}),
          ...(q['limit'] ? { limit: Number(q['limit']) } : {}),
        });
        return { body: { ...found, retentionDays: sec().auth.log.retentionDays } };
      },
    },
    {
      ...audit,
      method: 'get',
      path: '/api/security/verify',
      summary: 'Verify the hash chains of the security trail: every day kept, every person, device and key stream',
      handle: async () => ({ body: await sec().auth.log.verify() }),
    },
  ];
};
