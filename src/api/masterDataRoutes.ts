import type { CommandHandler, CommandResult } from '../app/commandHandler';
import { createMasterDataService } from '../app/masterData/service';
import {
  REASON_KINDS,
  type MasterKind,
  type ReasonCodeRecord,
  type ReasonKind,
  type RecordInput,
} from '../domain/masterData';
import type { Role } from './auth';
import { commandAnswer, commandContext, type RouteContext, type RouteResult, type RouteSpec } from './routes';

/** Each kind of master record: its path under /api/master, what it is called, who may change it. */
export const MASTER_ROUTES: ReadonlyArray<{
  kind: MasterKind;
  path: string;
  what: string;
  many: string;
  writers: Role[];
}> = [
  { kind: 'site', path: 'sites', what: 'a site', many: 'sites', writers: ['sysadmin'] },
  { kind: 'line', path: 'lines', what: 'a production line', many: 'production lines', writers: ['sysadmin'] },
  { kind: 'workCenter', path: 'work-centers', what: 'a work center', many: 'work centers', writers: ['sysadmin'] },
  { kind: 'product', path: 'products', what: 'a product', many: 'products', writers: ['planner'] },
  {
    kind: 'material',
    path: 'materials',
    what: 'a purchased material',
    many: 'purchased materials',
    writers: ['planner'],
  },
  { kind: 'routing', path: 'routings', what: 'a product’s routing', many: 'routings', writers: ['planner'] },
  {
    kind: 'bom',
    path: 'boms',
    what: 'a product’s bill of materials',
    many: 'bills of materials',
    writers: ['planner'],
  },
  {
    kind: 'inspectionPlan',
    path: 'inspection-plans',
    what: 'a product’s inspection plan',
    many: 'inspection plans',
    writers: ['quality'],
  },
  { kind: 'employee', path: 'employees', what: 'an employee', many: 'employees', writers: ['secadmin'] },
];

/** Who keeps each table of reason codes. */
export const REASON_WRITERS: Record<ReasonKind, Role[]> = {
  downtime: ['maintenance'],
  scrap: ['quality'],
  nonconformance: ['quality'],
  hold: ['planner', 'quality'],
};

const answer = (result: CommandResult): RouteResult => ({
  status: result.events.some((e) => e.type.endsWith('Defined')) ? 201 : 200,
  body: commandAnswer(result),
  revision: result.revision,
});

/**
 * `{ code?, effectiveFrom?, ...record }` of a body: the record is everything else. The route table has
 * validated the body against the kind's schema, which is what makes it an `R`.
 */
const inputOf = <R>(ctx: RouteContext): RecordInput<R> => {
  const { code, effectiveFrom, ...record } = ctx.body as { code?: string; effectiveFrom?: string };
  return {
    code: ctx.params['code'] ?? (code as string),
    ...(effectiveFrom ? { effectiveFrom } : {}),
    record: record as R,
  };
};
const deactivationOf = (ctx: RouteContext) => {
  const { effectiveFrom, reason } = ctx.body as { effectiveFrom?: string; reason?: string };
  return {
    code: ctx.params['code'] as string,
    ...(effectiveFrom ? { effectiveFrom } : {}),
    ...(reason ? { reason } : {}),
  };
};

const command = (
  path: string,
  summary: string,
  roles: Role[],
  body: string,
  run: (ctx: RouteContext) => Promise<CommandResult>,
  method: 'post' | 'put' = 'post',
): RouteSpec => ({
  method,
  path,
  summary,
  tag: 'master data',
  roles,
  kind: 'command',
  body,
  handle: async (ctx) => answer(await run(ctx)),
});

/** Define, revise (from an effective date) and deactivate each kind of master data, and the reason codes. */
export const masterDataRoutes = (deps: { commands: CommandHandler }): RouteSpec[] => {
  const service = createMasterDataService(deps);
  const context = (ctx: RouteContext) => commandContext(ctx, 'api');
  const records = MASTER_ROUTES.flatMap(({ kind, path, what, writers }) => {
    const base = `/api/master/${path}`;
    const type = `${kind[0]?.toUpperCase()}${kind.slice(1)}`;
    return [
      command(base, `Define ${what}`, writers, `commands/define${type}`, (ctx) =>
        service.define(kind, inputOf(ctx), ctx.meta, context(ctx)),
      ),
      command(
        `${base}/:code`,
        `Revise ${what}: the whole record, in force from effectiveFrom (default now)`,
        writers,
        `commands/revise${type}`,
        (ctx) => service.revise(kind, inputOf(ctx), ctx.meta, context(ctx)),
        'put',
      ),
      command(
        `${base}/:code/deactivate`,
        `Deactivate ${what} from effectiveFrom`,
        writers,
        'commands/deactivateRecord',
        (ctx) => service.deactivate(kind, deactivationOf(ctx), ctx.meta, context(ctx)),
      ),
    ];
  });
  const reasons = REASON_KINDS.flatMap((kind) => {
    const base = `/api/master/reason-codes/${kind}`;
    const writers = REASON_WRITERS[kind];
    return [
      command(
        base,
        `Define a ${kind} reason code (or override a built-in one)`,
        writers,
        'commands/defineReasonCode',
        (ctx) => service.defineReason(kind, inputOf<ReasonCodeRecord>(ctx), ctx.meta, context(ctx)),
      ),
      command(
        `${base}/:code`,
        `Revise a ${kind} reason code’s labels from effectiveFrom`,
        writers,
        'commands/reviseReasonCode',
        (ctx) => service.reviseReason(kind, inputOf<ReasonCodeRecord>(ctx), ctx.meta, context(ctx)),
        'put',
      ),
      command(
        `${base}/:code/deactivate`,
        `Deactivate a ${kind} reason code from effectiveFrom`,
        writers,
        'commands/deactivateRecord',
        (ctx) => service.deactivateReason(kind, deactivationOf(ctx), ctx.meta, context(ctx)),
      ),
    ];
  });
  return [...records, ...reasons];
};
