import { randomUUID } from 'node:crypto';
import express, {
  type ErrorRequestHandler,
  type Express,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import helmet from 'helmet';
import type { CommandHandler } from '../app/commandHandler';
import type { EventStore } from '../app/eventStore';
import type { ScheduleReader } from '../app/integrationImports';
import type { OutboxMonitor } from '../app/outbox';
import type { Logger } from '../lib/logger';
import type { CardKeySource } from '../app/operationCards';
import type { ScanService } from '../app/scans';
import type { SchemaRegistry } from '../app/schemaRegistry';
import type { ReadModelsRuntime } from '../projections/manager';
import type { ReadModelQueries } from '../projections/queries';
import { TooManyAttemptsError } from '../domain/errors';
import { commandRoutes } from './commands';
import { erpRoutes } from './erpRoutes';
import { keyRoutes } from './keyRoutes';
import { lotRoutes } from './lotRoutes';
import { masterDataQueries } from './masterDataQueries';
import { masterDataRoutes } from './masterDataRoutes';
import { peopleRoutes } from './peopleRoutes';
import type { SecurityApi } from './security';
import { securityRoutes } from './securityRoutes';
import { sessionRoutes } from './sessionRoutes';
import { masterSheetRoutes } from './masterSheetRoutes';
import type { IdempotencyStore } from './idempotency';
import { createMetrics } from './metrics';
import { buildOpenApi, docsPage } from './openapi';
import { buildAsyncApi } from './asyncapi';
import { notFound, problemHandler, sendProblem } from './problem';
import { authenticate } from './auth';
import { ForbiddenError, UnauthenticatedError } from '../domain/errors';
import { sameHex, sha256Hex } from '../app/security/secrets';

import { oeeRoutes } from './oeeRoutes';
import { spcRoutes } from './spcRoutes';
import { telemetryRoutes } from './telemetryRoutes';
import { healthRoutes } from './healthRoutes';
import { machineRoutes } from './machineRoutes';
import { plannerRoutes } from './plannerRoutes';
import { dashboardRoutes } from './dashboardRoutes';
import { queryRoutes } from './queryRoutes';
import { registerRoutes, type RouteSpec } from './routes';
import { CSV_MIME, XLSX_MIME } from './sheetFiles';
import { createStreamAdmission, DEFAULT_STREAM_LIMITS, traceRoutes, type StreamLimits } from './traceRoutes';
import { createLiveTail } from '../app/liveTail';
import { proofRoutes } from './proofRoutes';
import type { ProofReader } from '../app/proof/port';
import { serveWebApp } from './webApp';
import { alertRoutes } from './alertRoutes';
import { DEFAULT_ALERT_ROLES, type AlertSubscriptions } from '../app/alertSubscriptions';
import type { AlertQueries } from '../projections/alertQueries';

export type ApiDeps = {
  store: EventStore;
  logger: Logger;
  readModels: ReadModelsRuntime;
  queries: ReadModelQueries;
  commands: CommandHandler;
  scans: ScanService;
  /** The keys operation cards are signed and verified with (a bare key in tests). */
  cardKey: CardKeySource;
  schemas: SchemaRegistry;
  /** People, sessions, keys, devices and the security trail. */
  security: SecurityApi;
  /** Express's `trust proxy`: which proxies' X-Forwarded-For and -Proto to believe (TLS termination). Default none. */
  trustProxy?: string;
  idempotency: IdempotencyStore;
  clock?: () => Date;
  /** SSE keep-alive interval. Default 15 s. */
  heartbeatMs?: number;
  /** The ERP/WMS outbox, when one runs: its delivery status is served to integrators. */
  outbox?: OutboxMonitor;
  /** Reads an ERP schedule into orders (the B2MML adapter). */
  readSchedule: ScheduleReader;
  /** The log-wide proof (checkpoints, inclusion and consistency proofs, verification against a witness). */
  proof?: ProofReader;
  /** How long /api/verify/log waits for the notary to reach the log's head before 409 proof-behind. Default 10 s (tests shorten it). */
  proofCatchUpMs?: number;
  /** Who may read /metrics and the API documents (README, HTTP hardening). Default: metrics from loopback only, documents after a login. */
  exposure?: Exposure;
  /** Live streams (SSE) open at once, overall and per caller. Default 500 and 10. */
  streamLimits?: StreamLimits;
  /** The alerts read model and who sees which kinds (ALERTS_FILE). Default: the default roles, no alerts read model. */
  alerts?: { queries: AlertQueries; subscriptions: AlertSubscriptions };
};

export type Exposure = {
  /** A bearer token that may read /metrics from anywhere; without one, /metrics answers loopback callers only. */
  metricsToken?: string;
  /** Serve /docs, /openapi.json and /asyncapi.json without a login. Default false. */
  publicDocs?: boolean;
};

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/** Compared as digests, in constant time whatever the lengths. */
const sameSecret = (given: string, expected: string): boolean => sameHex(sha256Hex(given), sha256Hex(expected));

/** /metrics: with the configured bearer token, or from this host when there is none. */
const metricsGuard =
  (token: string | undefined): RequestHandler =>
  (req, _res, next) => {
    if (token) {
      const given = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
      if (given && sameSecret(given, token)) return next();
      return next(
        new UnauthenticatedError('/metrics needs the metrics token (Authorization: Bearer <METRICS_TOKEN_FILE>)'),
      );
    }
    // this host itself, not a client a proxy on this host forwards (req.ip is the forwarded address)
    if (LOOPBACK.test(req.socket.remoteAddress ?? '') && LOOPBACK.test(req.ip ?? '')) return next();
    return next(
      new ForbiddenError('/metrics answers this host only unless METRICS_TOKEN_FILE is set', 'metrics-loopback-only'),
    );
  };

/** The web app's content security policy: its own scripts and styles (Vant sets inline styles), camera frames as blobs. */
const WEB_APP_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  mediaSrc: ["'self'", 'blob:', 'mediastream:'],
  workerSrc: ["'self'", 'blob:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
};

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * The security headers of an `/api/` answer. None is a page: JSON, problem+json, NDJSON, SSE, CSV and
 * XLSX downloads, an SVG card. What a browser does with such an answer is fetch it from the web app
 * (which is served, with helmet's whole set, from other paths) or, opened directly, show it as data:
 * the policy that matters is that it runs and loads nothing (`default-src 'none'`, stricter than the web
 * app's, and so what an SVG opened alone gets), is framed nowhere, is not sniffed into HTML, and is not
 * readable by another origin's page. Helmet's document-only headers (opener policy, origin-agent
 * cluster, DNS prefetch, IE's download and XSS switches, Flash's cross-domain policies) do nothing on
 * data, and cost each answer some 600 bytes of headers: a query's answer is often smaller.
 */
const API_SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Referrer-Policy', 'no-referrer'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  // answers about people, orders and lots are not kept by browsers or proxies
  ['Cache-Control', 'no-store'],
];

/**
 * The security headers: helmet's set (HSTS apart, below), worked out once. Its configuration is fixed,
 * so each answer gets the same headers, set in one loop rather than by a dozen middlewares a request.
 */
const securityHeaders = (): ReadonlyArray<readonly [string, string]> => {
  const headers = new Map<string, string>();
  const collect = {
    setHeader: (name: string, value: string) => headers.set(name, value),
    removeHeader: (name: string) => headers.delete(name),
  };
  helmet({ strictTransportSecurity: false, contentSecurityPolicy: { directives: WEB_APP_CSP } })(
    {} as Request,
    collect as unknown as Response,
    () => undefined,
  );
  return [...headers];
};

// queries first: express tries routes in order, and reads are the most frequent requests
export const allRoutes = (deps: ApiDeps, live?: Set<() => void>): RouteSpec[] => {
  // every live stream of the API follows one reader of the log and counts against one set of limits
  const tail = createLiveTail(deps.store);
  const admit = createStreamAdmission(deps.streamLimits ?? DEFAULT_STREAM_LIMITS);
  return [
    ...queryRoutes(deps),
    ...oeeRoutes(deps),
    ...spcRoutes(deps),
    ...telemetryRoutes(deps),
    ...healthRoutes(deps),
    ...machineRoutes(deps),
    ...plannerRoutes(deps),
    ...dashboardRoutes(deps),
    ...lotRoutes(deps),
    ...traceRoutes({
      store: deps.store,
      tail,
      admit,
      ...(deps.heartbeatMs ? { heartbeatMs: deps.heartbeatMs } : {}),
      ...(live ? { live } : {}),
    }),
    ...proofRoutes(deps),
    ...commandRoutes(deps),
    ...erpRoutes(deps),
    // the sheet routes before /api/master/{kind}/:code, which would take `export` for a code
    ...[...masterSheetRoutes(deps), ...masterDataQueries(deps), ...masterDataRoutes(deps)],
    ...sessionRoutes(deps),
    ...peopleRoutes(deps),
    ...keyRoutes(deps),
    ...securityRoutes(deps),
    ...alertRoutes({
      store: deps.store,
      alerts: deps.alerts ?? {
        queries: { recent: () => Promise.resolve({ items: [] }) },
        subscriptions: { roles: DEFAULT_ALERT_ROLES, people: {} },
      },
      tail,
      admit,
      ...(deps.heartbeatMs ? { heartbeatMs: deps.heartbeatMs } : {}),
      ...(live ? { live } : {}),
    }),
  ];
};

export type Api = {
  app: Express;
  /** Ends the live event streams (SSE), so a shutdown need not wait for them. */
  endStreams(): void;
  /** Route handlers still running: a live stream or an export counts until its handler returns. */
  readonly handlersInFlight: number;
};

/** The HTTP face: commands, queries, traceability, live events, operations endpoints, OpenAPI. */
export const createApi = (deps: ApiDeps): Api => {
  const { store, logger, readModels } = deps;
  const app = express();
  let handlersInFlight = 0;
  const metrics = createMetrics({
    stats: store.stats,
    projections: () => readModels.status(),
    handlersInFlight: () => handlersInFlight,
  });
  const live = new Set<() => void>();
  const routes = allRoutes(deps, live);
  const openApi = buildOpenApi(routes, deps.schemas);
  app.disable('x-powered-by');
  if (deps.trustProxy)
    app.set('trust proxy', /^\d+$/.test(deps.trustProxy) ? Number(deps.trustProxy) : deps.trustProxy);
  app.set('query parser', 'simple');
  // no ETag computed from each body (a hash of every answer): API answers are not stored (no-store), and
  // the routes that have a version (a stream's revision) set their own ETag for If-Match
  app.set('etag', false);
  const headers = securityHeaders();
  // the request's log line is built only where the log writes it (LOG_LEVEL info or debug)
  const logRequests = logger.enabled('info');
  /** An answer sent: its metrics and log line. One listener for every answer, not a closure each. */
  function answered(this: Response): void {
    const { req } = this;
    const seconds = Number(process.hrtime.bigint() - (req.receivedAt as bigint)) / 1e9;
    const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
    metrics.observeRequest({ method: req.method, route, status: this.statusCode, seconds });
    if (logRequests)
      logger.info('request', {
        requestId: req.requestId,
        ...(req.clientRequestId ? { clientRequestId: req.clientRequestId } : {}),
        method: req.method,
        path: req.path,
        status: this.statusCode,
        ms: Math.round(seconds * 100_000) / 100,
        actor: req.principal?.name,
      });
  }
  app.use((req, res, next) => {
    // the correlation id is the server's, so no client can write into another request's trace; the
    // client's own id is kept beside it (events' clientRequestId) and echoed
    const given = req.get('x-request-id');
    req.requestId = randomUUID();
    if (given && REQUEST_ID.test(given)) req.clientRequestId = given;
    res.setHeader('X-Request-Id', req.clientRequestId ?? req.requestId);
    res.setHeader('X-Correlation-Id', req.requestId);
    for (const [name, value] of req.path.startsWith('/api/') ? API_SECURITY_HEADERS : headers)
      res.setHeader(name, value);
    // HSTS only where the connection is TLS (here, or at a trusted proxy)
    if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    req.receivedAt = process.hrtime.bigint();
    res.on('finish', answered);
    next();
  });
  registerRoutes(app, routes, {
    auth: deps.security.auth,
    schemas: deps.schemas,
    idempotency: deps.idempotency,
    clock: deps.clock ?? (() => new Date()),
    inFlight: (change) => (handlersInFlight += change),
    // bodies are read only once the caller is known and allowed (after the guards)
    bodyParsers: [
      express.json({ limit: '256kb', strict: true }),
      express.text({ type: ['application/xml', 'text/xml'], limit: '1mb' }),
      // master-data spreadsheets: the import reads the bytes (a CSV's charset, an XLSX zip)
      express.raw({ type: [CSV_MIME, XLSX_MIME], limit: '4mb' }),
    ],
  });
  // the operations endpoints after the API's routes: express tests a request's path against each route
  // in order until one matches, and the API's queries are the most frequent requests (probes and
  // scrapers ask these few paths, none under /api/, now and then)
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    try {
      const head = await store.headPosition();
      const projections = await readModels.status();
      // a failed projection, or one whose writes fail (a full disk), cannot keep the read models current
      const failed = projections.filter((p) => p.state === 'failed' || p.state === 'stalled');
      res.status(failed.length > 0 ? 503 : 200).json({
        status: failed.length > 0 ? 'degraded' : 'ready',
        eventStore: { kind: store.kind, headPosition: head ?? null },
        projections,
      });
    } catch (error) {
      logger.warn('not ready', { error });
      sendProblem(res, 'not-ready', 503, 'Not ready', 'the event store does not answer');
    }
  });
  const exposure = deps.exposure ?? {};
  const docsGuard: RequestHandler[] = exposure.publicDocs ? [] : [authenticate(deps.security.auth)];
  app.get('/metrics', metricsGuard(exposure.metricsToken), async (_req, res) => {
    res.type(metrics.register.contentType).send(await metrics.register.metrics());
  });
  app.get('/openapi.json', ...docsGuard, (_req, res) => {
    res.json(openApi);
  });
  const asyncApi = buildAsyncApi(deps.schemas);
  app.get('/asyncapi.json', ...docsGuard, (_req, res) => {
    res.json(asyncApi);
  });
  app.get('/docs', ...docsGuard, (_req, res) => {
    res.type('html').send(docsPage(routes));
  });
  serveWebApp(app);
  app.use(notFound);
  app.use(((error, _req, res, next) => {
    if (error instanceof TooManyAttemptsError) res.set('Retry-After', String(error.retryAfterSeconds));
    next(error);
  }) as ErrorRequestHandler);
  app.use(problemHandler(logger));
  return {
    app,
    endStreams: () => [...live].forEach((end) => end()),
    get handlersInFlight() {
      return handlersInFlight;
    },
  };
};
