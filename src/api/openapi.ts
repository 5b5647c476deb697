import type { SchemaRegistry } from '../app/schemaRegistry';
import type { RouteSpec } from './routes';

/** Paths outside the route table that the document also describes. */
export const OPERATIONS_PATHS = [
  { method: 'get', path: '/health', summary: 'Liveness' },
  { method: 'get', path: '/ready', summary: 'Readiness: event store reachable, projections and their lag' },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics' },
  { method: 'get', path: '/openapi.json', summary: 'This document' },
  { method: 'get', path: '/asyncapi.json', summary: 'AsyncAPI 3.0: the NATS subjects and payloads' },
  { method: 'get', path: '/docs', summary: 'A browsable page of the API' },
] as const;

const schemaName = (key: string): string => key.replace(/[^A-Za-z0-9]+/g, '_');
const openApiPath = (path: string): string => path.replace(/:([A-Za-z]+)/g, '{$1}');

const problem = {
  description: 'A problem document (RFC 9457)',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

/** OpenAPI 3.1, built from the route table and the JSON Schemas in schemas/. */
export const buildOpenApi = (routes: readonly RouteSpec[], schemas: SchemaRegistry) => {
  const components: Record<string, unknown> = {
    Problem: {
      type: 'object',
      required: ['type', 'title', 'status'],
      properties: {
        type: { type: 'string' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        instance: { type: 'string' },
        requestId: { type: 'string', description: 'The X-Request-Id answered: the client’s own, else the server’s' },
        correlationId: { type: 'string', description: 'The server’s id of the request (X-Correlation-Id)' },
        errors: {
          type: 'array',
          items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  };
  for (const key of schemas.keys()) components[schemaName(key)] = schemas.schema(key);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const params = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { $ref: '#/components/schemas/common_defs/$defs/id' },
    }));
    const querySchema = route.query
      ? (schemas.schema(route.query) as { properties?: Record<string, unknown> })
      : undefined;
    const query = Object.entries(querySchema?.properties ?? {}).map(([name, schema]) => ({
      name,
      in: 'query',
      required: false,
      schema,
    }));
    const headers =
      route.kind === 'command'
        ? [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description: 'A retried request with the same key gets the first answer and writes nothing.',
              schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,100}$' },
            },
            {
              name: 'If-Match',
              in: 'header',
              required: false,
              description: 'The stream revision (ETag) the caller saw: 412 if it has moved on.',
              schema: { type: 'string' },
            },
          ]
        : [];
    paths[path] = paths[path] ?? {};
    paths[path][route.method] = {
      summary: route.summary,
      tags: [route.tag],
      description: route.public ? 'No credential: a login.' : `Roles: ${route.roles.join(', ')}.`,
      'x-roles': route.roles,
      security: route.public ? [] : [{ bearer: [] }, { session: [] }],
      parameters: [...params, ...query, ...headers],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName(route.body)}` } } },
            },
          }
        : route.accepts
          ? {
              requestBody: {
                required: true,
                content: Object.fromEntries(
                  route.accepts.map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
                ),
              },
            }
          : {}),
      // a body the handler reads itself (XML or JSON), documented per content type
      ...(route.bodyDocs
        ? {
            requestBody: {
              required: true,
              content: Object.fromEntries(
                Object.entries(route.bodyDocs).map(([type, key]) => [
                  type,
                  { schema: key === 'text' ? { type: 'string' } : { $ref: `#/components/schemas/${schemaName(key)}` } },
                ]),
              ),
            },
          }
        : {}),
      responses: {
        [route.kind === 'command' ? '200' : '200']: {
          description: 'OK',
          content: Object.fromEntries([route.produces ?? 'application/json'].flat().map((type) => [type, {}])),
        },
        ...(route.kind === 'command'
          ? { '201': { description: 'Created' }, '409': problem, '412': problem, '415': problem }
          : {}),
        ...Object.fromEntries(
          Object.entries(route.answers ?? {}).map(([status, description]) => [status, { description }]),
        ),
        '400': problem,
        '401': problem,
        '403': problem,
        '404': problem,
        '429': {
          ...problem,
          description: 'Too many failed logins from this address or for this account (Retry-After)',
        },
      },
    };
  }
  for (const op of OPERATIONS_PATHS) {
    paths[op.path] = {
      [op.method]: { summary: op.summary, tags: ['operations'], responses: { '200': { description: 'OK' } } },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Manufacturing execution backbone',
      version: '0.1.0',
      description: 'Commands for PDAs and planners, queries for analysts, traceability for auditors.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    components: {
      schemas: components,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key `<keyId>.<secret>`, or a session token (a shop-floor session also sends its device key in X-Device-Key)',
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'mes_session',
          description: 'The browser session of POST /api/session; writes also send X-CSRF-Token',
        },
      },
    },
    paths,
  };
};

const escapeHtml = (text: string): string => text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** A plain page listing every route with its roles and schemas, linking the document. */
export const docsPage = (routes: readonly RouteSpec[]): string => {
  const rows = routes
    .map(
      (r) =>
        `<tr><td><code>${r.method.toUpperCase()}</code></td><td><code>${escapeHtml(r.path)}</code></td><td>${escapeHtml(r.summary)}</td><td>${r.public ? 'anyone (login)' : r.roles.join(', ')}</td><td>${[
          r.body,
          ...Object.values(r.bodyDocs ?? {}),
        ]
          .filter((k) => k && k !== 'text')
          .map((k) => `<code>schemas/${k}.json</code>`)
          .join(' ')}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>MES backbone API</title><style>body{font-family:sans-serif;margin:2em}td,th{padding:4px 8px;border-bottom:1px solid #ddd;text-align:left}</style></head><body><h1>MES backbone API</h1><p>The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Every route but the logins takes <code>Authorization: Bearer &lt;API key&gt;</code> or the session cookie; errors are <code>application/problem+json</code>.</p><table><tr><th>method</th><th>path</th><th>what</th><th>roles</th><th>body</th></tr>\n${rows}\n</table></body></html>`;
};
