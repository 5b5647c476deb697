import { createHash, randomUUID } from 'node:crypto';
import type { Express, Request, RequestHandler, Response } from 'express';
import type { CommandContext, CommandHandler, CommandResult } from '../app/commandHandler';
import type { EventSource } from '../app/eventStore';
import type { SchemaRegistry } from '../app/schemaRegistry';
import type { AggregateName, CommandOf } from '../domain/aggregates';
import type { SchemaTypes } from '../domain/generated';
import { ValidationError } from '../domain/errors';
import type { CommandMeta } from '../domain/messages';
import { addressOf, authenticate, authorize, type AuthDeps, type Principal, type Role } from './auth';
import type { IdempotencyStore, StoredResponse } from './idempotency';
import { sendProblem } from './problem';

/** What a route's handler gets; `Body` is the type of its body's schema once validated. */
export type RouteContext<Body = Record<string, unknown>> = {
  req: Request;
  res: Response;
  principal: Principal;
  requestId: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: Body;
  meta: CommandMeta;
};

/** A JSON answer, or `stream` when the route writes the response itself (NDJSON, SSE, CSV, SVG). */
export type RouteResult = { status?: number; body?: unknown; revision?: number; stream?: true };

/** A caller on the shop floor only: neither an integrator nor an auditor (who read the whole log). */
export const isShopFloorOnly = (principal: { roles: readonly string[] }): boolean =>
  !principal.roles.some((role) => role === 'integrator' || role === 'auditor');

export type RouteSpec = {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  tag: string;
  /** Who may call it; `[]` with `public` for the login routes. */
  roles: readonly Role[];
  /**
   * `trace`: a traceability or audit read, recorded as a security event (who, what, which range,
   * from where); `security`: logins and accounts, never replayed from an Idempotency-Key (answers hold secrets).
   */
  kind: 'command' | 'query' | 'trace' | 'security';
  /** No credential needed: the password and second-factor logins. */
  public?: true;
  /** Open to a person who must first change their password or enrol a second factor. */
  allowPending?: true;
  /** Schema key of the JSON body (commands). */
  body?: string;
  /** Schema key of the query parameters. */
  query?: string;
  /** Content type when not JSON (several: the query chooses). */
  produces?: string | readonly string[];
  /** Content types of a body that is not JSON (a CSV or XLSX file): the handler reads the raw bytes. */
  accepts?: readonly string[];
  /**
   * A body the handler reads itself, documented in OpenAPI (not validated by the table) per content type:
   * a schema key, or `text` for a string (an XML document).
   */
  bodyDocs?: Readonly<Record<string, string>>;
  /** Answers besides the usual ones, by status, with what they mean (OpenAPI). */
  answers?: Readonly<Record<string, string>>;
  /** A trace route operators may follow for their work (the live feed): not recorded as a traceability read for them. */
  shopFloorFeed?: true;
  handle(ctx: RouteContext): Promise<RouteResult>;
};

const ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$/;

const fingerprint = (req: Request): string =>
  createHash('sha256')
    .update(`${req.method} ${req.originalUrl}\n${JSON.stringify(req.body ?? null)}`)
    .digest('hex');

const parseIfMatch = (header: string | undefined): number | undefined => {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(-?\d{1,15})"?$/.exec(header.trim());
  if (!match)
    throw new ValidationError('If-Match must be a stream revision from an ETag', [
      { path: '/headers/if-match', message: 'must look like "12"' },
    ]);
  return Number(match[1]);
};

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,100}$/;

export type CommandRouteDeps = { commands: CommandHandler };

/** A command without its meta, each command keeping its own data (an Omit over a union would mix them). */
export type CommandBody<C> = C extends unknown ? Omit<C, 'meta'> : never;

/** The context of a route once its body schema has validated the body: `ctx.body` typed by that schema. */
export type BodyContext<B extends keyof SchemaTypes> = RouteContext<SchemaTypes[B]>;

/** A command route: body and params become one domain command on one aggregate. */
export const commandRoute = <K extends AggregateName, B extends keyof SchemaTypes>(spec: {
  method?: 'post' | 'put';
  path: string;
  summary: string;
  tag: string;
  roles: readonly Role[];
  body: B;
  aggregate: K;
  created?: boolean;
  source?: EventSource;
  id: (ctx: BodyContext<B>) => string;
  command: (ctx: BodyContext<B>) => CommandBody<CommandOf[K]>;
  deps: CommandRouteDeps;
}): RouteSpec => ({
  method: spec.method ?? 'post',
  path: spec.path,
  summary: spec.summary,
  tag: spec.tag,
  roles: spec.roles,
  kind: 'command',
  body: spec.body,
  async handle(untyped) {
    // the route table has validated the body against schema B before any handler runs
    const ctx = untyped as BodyContext<B>;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: without it the command union over every aggregate is 'too complex to represent' (TS2590)
    const command: CommandOf[K] = { ...spec.command(ctx), meta: ctx.meta } as never;
    const result = await runCommand(
      spec.deps.commands,
      spec.aggregate,
      spec.id(ctx),
      command,
      untyped,
      spec.source ?? 'api',
    );
    return {
      status: spec.created && !result.duplicate ? 201 : 200,
      body: commandAnswer(result),
      revision: result.revision,
    };
  },
});

export const commandContext = (ctx: RouteContext, source: EventSource): CommandContext => {
  const key = ctx.req.get('idempotency-key');
  const expectedRevision = parseIfMatch(ctx.req.get('if-match'));
  return {
    // without a key the id is made here and cannot come again: the command handler need not remember it
    ...(key ? { commandId: `http:${ctx.principal.name}:${key}` } : { commandId: randomUUID(), oneOff: true }),
    correlationId: ctx.requestId,
    source,
    receivedAt: ctx.meta.now,
    ...(ctx.req.clientRequestId ? { clientRequestId: ctx.req.clientRequestId } : {}),
    ...(expectedRevision === undefined ? {} : { expectedRevision }),
  };
};

export const runCommand = <K extends AggregateName>(
  commands: CommandHandler,
  aggregate: K,
  id: string,
  command: CommandOf[K],
  ctx: RouteContext,
  source: EventSource,
): Promise<CommandResult> => commands.handle(aggregate, id, command, commandContext(ctx, source));

export const commandAnswer = (result: CommandResult) => ({
  streamId: result.streamId,
  revision: result.revision,
  position: result.position ?? null,
  events: result.events.map((e) => e.type),
  duplicate: result.duplicate,
});

/**
 * Answers kept by an answer cache are frozen (src/projections/answerCache.ts) and so never change: each
 * is encoded once, its text kept as long as the answer is (a dashboard's OEE days are 7 KB of JSON).
 */
const texts = new WeakMap<object, string>();
const encode = (body: unknown): string => {
  if (body === null || typeof body !== 'object' || !Object.isFrozen(body)) return JSON.stringify(body);
  let text = texts.get(body);
  if (text === undefined) texts.set(body, (text = JSON.stringify(body)));
  return text;
};

/**
 * A route's JSON answer: what express's `res.json` sends (status, headers, `application/json;
 * charset=utf-8`, Content-Length), written in one piece with the headers rather than the body turned
 * into a Buffer and written beside them. A GET with an ETag goes through express, which answers 304 to
 * a matching If-None-Match; so do 204 and 304, which carry no body, and an answer whose handler set
 * its own content type.
 */
const sendJson = (req: Request, res: Response, stored: StoredResponse): void => {
  const { status, headers, body } = stored;
  if (
    res.hasHeader('Content-Type') ||
    status === 204 ||
    status === 304 ||
    (headers['ETag'] !== undefined && (req.method === 'GET' || req.method === 'HEAD'))
  ) {
    res.status(status).set(headers).json(body);
    return;
  }
  const text = encode(body);
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
};

const validateParams = (params: Record<string, string>): void => {
  for (const [name, value] of Object.entries(params)) {
    if (!ID.test(value))
      throw new ValidationError(`${name} is not a valid id`, [
        { path: `/params/${name}`, message: `must match ${ID.source}` },
      ]);
  }
};

/** Registers the routes: authentication, role check, validation of params, query and body, then the handler. */
export const registerRoutes = (
  app: Express,
  routes: readonly RouteSpec[],
  deps: {
    auth: AuthDeps;
    schemas: SchemaRegistry;
    idempotency: IdempotencyStore;
    clock: () => Date;
    /** Told when a handler starts (1) and when it has returned or thrown (-1). */
    inFlight?: (change: 1 | -1) => void;
    /** Body parsers, run after authentication and the role check, so an unknown caller's body is never read. */
    bodyParsers?: readonly RequestHandler[];
  },
): void => {
  const auth = authenticate(deps.auth);
  const nobody: Principal = { name: 'anonymous', roles: [], via: 'session', pending: [] };
  for (const route of routes) {
    const guards = route.public ? [] : [auth, authorize(route, deps.auth.log)];
    // a GET has no body to read: its route goes without the parsers (three middlewares a query)
    const parsers = route.method === 'get' ? [] : (deps.bodyParsers ?? []);
    app[route.method](route.path, ...guards, ...parsers, async (req, res) => {
      const params = req.params as Record<string, string>;
      validateParams(params);
      const query = req.query as Record<string, unknown>;
      if (route.query) deps.schemas.assert(route.query, query, 'query', '/query');
      else if (Object.keys(query).length > 0)
        throw new ValidationError('this route takes no query parameters', [
          { path: `/query/${Object.keys(query)[0]}`, message: 'is not allowed' },
        ]);
      if (route.body) {
        if (!req.is('application/json')) {
          sendProblem(
            res,
            'unsupported-media-type',
            415,
            'Unsupported media type',
            'send the body as application/json',
          );
          return;
        }
        deps.schemas.assert(route.body, req.body, 'request body', '');
      }
      const principal = req.principal ?? nobody;
      if (route.kind === 'security') res.set('Cache-Control', 'no-store');
      if (route.kind === 'trace' && !(route.shopFloorFeed && isShopFloorOnly(principal)))
        await deps.auth.log.record(
          {
            type: 'TraceabilityRead',
            data: {
              method: route.method.toUpperCase(),
              route: route.path,
              params,
              query: query as Record<string, string>,
              address: addressOf(req),
            },
          },
          principal.name,
          req.requestId as string,
        );
      const key = route.kind === 'command' ? req.get('idempotency-key') : undefined;
      if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
        throw new ValidationError('Idempotency-Key must be 1 to 100 letters, digits or ._:-', [
          { path: '/headers/idempotency-key', message: 'is invalid' },
        ]);
      }
      const print = key ? fingerprint(req) : '';
      const replay = key ? deps.idempotency.find(principal.name, key, print) : undefined;
      const send = (stored: StoredResponse): void => sendJson(req, res, stored);
      if (replay) {
        res.set('Idempotent-Replayed', 'true');
        return send(replay);
      }
      const ctx: RouteContext = {
        req,
        res,
        principal,
        requestId: req.requestId as string,
        params,
        query: query as Record<string, string>,
        body: (req.body ?? {}) as Record<string, unknown>,
        meta: { now: deps.clock().toISOString(), actor: principal.name, roles: principal.roles },
      };
      deps.inFlight?.(1);
      let result: RouteResult;
      try {
        result = await route.handle(ctx);
      } finally {
        deps.inFlight?.(-1);
      }
      if (result.stream) return;
      const stored: StoredResponse = {
        status: result.status ?? 200,
        body: result.body ?? null,
        headers: result.revision === undefined ? {} : { ETag: `"${result.revision}"` },
      };
      if (key) deps.idempotency.save(principal.name, key, print, stored);
      send(stored);
    });
  }
};
