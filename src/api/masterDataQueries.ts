import type { CommandHandler } from '../app/commandHandler';
import type { EventStore, RecordedEvent } from '../app/eventStore';
import { NotFoundError, ValidationError } from '../domain/errors';
import {
  MASTER_KINDS,
  REASON_KINDS,
  inForce,
  nameIn,
  reasonCodesAt,
  type Language,
  type Names,
  type ReasonKind,
  type Timeline,
} from '../domain/masterData';
import type { ReadModelQueries } from '../projections/queries';
import type { Role } from './auth';
import { languageOf } from './language';
import { MASTER_ROUTES } from './masterDataRoutes';
import type { RouteContext, RouteSpec } from './routes';

const READERS: Role[] = ['analyst', 'planner', 'quality', 'maintenance', 'auditor', 'operator', 'integrator'];

const query = (
  path: string,
  summary: string,
  schema: string | undefined,
  run: (ctx: RouteContext) => Promise<unknown>,
) =>
  ({
    method: 'get',
    path,
    summary,
    tag: 'master data',
    roles: READERS,
    kind: 'query',
    ...(schema ? { query: schema } : {}),
    handle: async (ctx) => ({ body: await run(ctx) }),
  }) satisfies RouteSpec;

/** A view with `name`, the names in the caller's language (Accept-Language; zh-CN by default). */
const named = <V extends { names?: Names }>(view: V, language: Language) => ({
  ...view,
  name: nameIn(view.names, language),
});

/** A record's events as its history: each version with when it takes effect, who recorded it and when. */
const historyOf = (events: readonly RecordedEvent[], language: Language) =>
  events.map((event) => {
    const {
      code: _code,
      kind: _kind,
      record,
      ...data
    } = event.data as { code: string; kind?: string; record?: { names?: Names } };
    return {
      type: event.type,
      ...data,
      ...(record ? { record, name: nameIn(record.names, language) } : {}),
      recordedAt: event.recordedAt,
      actor: event.metadata.actor,
      revision: event.revision,
    };
  });

const reasonKind = (ctx: RouteContext): ReasonKind => {
  const kind = ctx.params['kind'] as ReasonKind;
  if (!REASON_KINDS.includes(kind))
    throw new ValidationError(`${kind} is not a kind of reason code`, [
      { path: '/params/kind', message: `must be one of ${REASON_KINDS.join(', ')}` },
    ]);
  return kind;
};

/** Reads of master data: lists with search, the version in force at an instant (`?at=`), the history. */
export const masterDataQueries = (deps: {
  commands: CommandHandler;
  store: EventStore;
  queries: ReadModelQueries;
}): RouteSpec[] => {
  const at = (ctx: RouteContext): string => ctx.query['at'] ?? ctx.meta.now;
  const records = MASTER_ROUTES.flatMap(({ kind, path, what, many }) => {
    const base = `/api/master/${path}`;
    const { aggregate, kind: rules } = MASTER_KINDS[kind];
    const code = (ctx: RouteContext) => ctx.params['code'] as string;
    return [
      query(
        base,
        `List ${many} in force at an instant: search code or name (zh-CN or en), filter, page`,
        'queries/masterList',
        async (ctx) => {
          const { q, active, family, site, limit, cursor } = ctx.query;
          const page = await deps.queries.master.list(kind, {
            at: at(ctx),
            ...(q ? { q } : {}),
            ...(active ? { active: active === 'true' } : {}),
            fields: { ...(family ? { family } : {}), ...(site ? { site } : {}) },
            ...(limit ? { limit: Number(limit) } : {}),
            ...(cursor ? { cursor } : {}),
          });
          const language = languageOf(ctx.req);
          return { ...page, items: page.items.map((item) => named(item, language)) };
        },
      ),
      query(
        `${base}/:code`,
        `The version of ${what} in force at an instant (at, default now)`,
        'queries/masterAt',
        async (ctx) => {
          const { state } = await deps.commands.load(aggregate, code(ctx));
          if (state.status !== 'Defined') throw new NotFoundError(`${rules.label} ${code(ctx)} is not defined`);
          const current = inForce(state.timeline as Timeline<{ names?: Names }>, at(ctx));
          if (!current) throw new NotFoundError(`${rules.label} ${code(ctx)} has no version in force at ${at(ctx)}`);
          const { record, ...rest } = current;
          return {
            kind,
            code: code(ctx),
            at: at(ctx),
            ...rest,
            versions: state.versions,
            name: nameIn(record.names, languageOf(ctx.req)),
            record,
          };
        },
      ),
      query(
        `${base}/:code/history`,
        `Every change of ${what}, with its effective date, actor and time recorded`,
        undefined,
        async (ctx) => {
          const events = await deps.store.readStream(`${rules.category}-${code(ctx)}`);
          if (events.length === 0) throw new NotFoundError(`${rules.label} ${code(ctx)} is not defined`);
          return { kind, code: code(ctx), history: historyOf(events, languageOf(ctx.req)) };
        },
      ),
    ];
  });
  const table = async (kind: ReasonKind, instant: string) =>
    reasonCodesAt((await deps.commands.load('reasonCodes', kind)).state, kind, instant);
  const reasons = [
    query(
      '/api/master/reason-codes',
      'Reason codes with labels in the caller’s language: built-in and the plant’s, by kind, searchable',
      'queries/masterList',
      async (ctx) => {
        const { kind, q, active } = ctx.query;
        const kinds = kind ? [kind as ReasonKind] : [...REASON_KINDS];
        const language = languageOf(ctx.req);
        const needle = q?.toLocaleLowerCase();
        const items = (await Promise.all(kinds.map((k) => table(k, at(ctx)))))
          .flat()
          .filter((view) => active === undefined || view.active === (active === 'true'))
          .filter(
            (view) =>
              !needle ||
              [view.code, view.names['zh-CN'], view.names.en].some((t) => t?.toLocaleLowerCase().includes(needle)),
          )
          .map((view) => ({ ...view, label: nameIn(view.names, language) }));
        return { at: at(ctx), items };
      },
    ),
    query(
      '/api/master/reason-codes/:kind/:code',
      'A reason code in force at an instant (at), with its label in the caller’s language',
      'queries/masterAt',
      async (ctx) => {
        const kind = reasonKind(ctx);
        const found = (await table(kind, at(ctx))).find((view) => view.code === ctx.params['code']);
        if (!found) throw new NotFoundError(`${kind} reason code ${ctx.params['code']} is not defined`);
        return { ...found, at: at(ctx), label: nameIn(found.names, languageOf(ctx.req)) };
      },
    ),
    query(
      '/api/master/reason-codes/:kind/:code/history',
      'Every change of a plant’s reason code',
      undefined,
      async (ctx) => {
        const kind = reasonKind(ctx);
        const events = (await deps.store.readStream(`reasoncodes-${kind}`)).filter(
          (e) => e.data['code'] === ctx.params['code'],
        );
        if (events.length === 0)
          throw new NotFoundError(`the plant has not defined ${kind} reason code ${ctx.params['code']}`);
        return { kind, code: ctx.params['code'], history: historyOf(events, languageOf(ctx.req)) };
      },
    ),
  ];
  return [...records, ...reasons];
};
