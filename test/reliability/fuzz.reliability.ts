import { expect } from 'chai';
import { join } from 'node:path';
import { allRoutes, type ApiDeps } from '../../src/api/app';
import type { RouteSpec } from '../../src/api/routes';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { seededRandom } from '../../src/simulator/simClock';
import { ALL_BUSINESS_ROLES, makeKeys } from '../support/apiClient';
import { startBackboneProcess, type BackboneProcess } from '../support/backboneProcess';
import { makeTempDir } from '../support/tmp';
import { byScale, figure, scale } from './figures';

const ROUTES = allRoutes({} as ApiDeps);
const INPUTS = byScale(10_000, 10_000 * ROUTES.length);
const schemas = loadSchemaRegistry();
const random = seededRandom(20261125);

type Input = { method: string; path: string; headers: Record<string, string>; body?: string; kind: string };

const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)] as T;
const BAD_IDS = ['..%2F..%2Fetc', 'a%20b', '%E2%80%AE%00', 'x'.repeat(140), '%F0%9F%92%A5', '-leading', '%3Cscript%3E'];
const STRINGS = ['', ' ', 'x'.repeat(5_000), '\u0000', '\ud800', 'NaN', '-1', '1e309', '<b>', "' OR 1=1 --", '{{7*7}}'];
const junk = (depth = 0): unknown => {
  switch (random.int(0, 8)) {
    case 0:
      return random.between(-1e12, 1e12);
    case 1:
      return pick([0, -1, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2]);
    case 2:
      return pick(STRINGS);
    case 3:
      return random.chance(0.5);
    case 4:
      return null;
    case 5:
      return depth > 2 ? [] : Array.from({ length: random.int(0, 3) }, () => junk(depth + 1));
    case 6:
      return depth > 2 ? {} : { [pick(['a', '__proto__', 'constructor', 'id'])]: junk(depth + 1) };
    case 7:
      return new Date(random.between(-1e13, 1e13)).toISOString().replace('T', pick(['T', ' ', 'x']));
    default:
      return `id-${random.int(0, 999)}`;
  }
};

/** A body the route's schema refuses: properties with odd values, and always at least one violation. */
const badObject = (key: string): Record<string, unknown> => {
  const schema = schemas.schema(key) as { properties?: Record<string, unknown>; required?: string[] };
  const value: Record<string, unknown> = {};
  for (const name of Object.keys(schema.properties ?? {})) if (random.chance(0.7)) value[name] = junk();
  if (random.chance(0.5) || schemas.check(key, value).length === 0) value[`unexpected_${random.int(0, 99)}`] = junk();
  if (schemas.check(key, value).length === 0) throw new Error(`the fuzzer made a valid ${key}`);
  return value;
};

const fill = (route: RouteSpec, bad: boolean) =>
  route.path.replace(/:([A-Za-z]+)/g, () => (bad ? pick(BAD_IDS) : `F${random.int(1, 9999)}`));

/** One generated bad input for a route: for a command, something it must refuse; for a query, a bad parameter. */
const generate = (route: RouteSpec): Input => {
  const method = route.method.toUpperCase();
  const badPath = route.path.includes(':') && random.chance(0.25);
  const path = fill(route, badPath);
  const headers: Record<string, string> = {};
  if (random.chance(0.1)) headers['if-match'] = pick(['yesterday', '"-1"', 'W/"x"', '*'.repeat(300)]);
  if (random.chance(0.1)) headers['idempotency-key'] = pick(['has spaces', 'k'.repeat(300), '\u00e9t\u00e9']);
  if (method === 'GET') {
    const query = new URLSearchParams();
    const kind = pick(['unknown parameter', 'bad values', 'bad path', 'bad Last-Event-ID']);
    if (kind === 'bad values' && route.query) {
      const props = Object.keys((schemas.schema(route.query) as { properties?: object }).properties ?? {});
      for (const name of props) if (random.chance(0.6)) query.set(name, String(junk()));
    }
    if (kind === 'bad Last-Event-ID') headers['last-event-id'] = pick(['-1', 'abc', '9'.repeat(40)]);
    const pathIsBad = kind === 'bad path' && route.path.includes(':');
    const valuesAreBad =
      route.query !== undefined && query.size > 0 && schemas.check(route.query, Object.fromEntries(query)).length > 0;
    // whatever else was tried, a parameter no route takes makes the input certainly bad
    if (!pathIsBad && !valuesAreBad) query.set(`unexpected_${random.int(0, 99)}`, String(junk()));
    const qs = query.toString();
    return { method, path: `${pathIsBad ? fill(route, true) : path}${qs ? `?${qs}` : ''}`, headers, kind };
  }
  const kind = route.body
    ? pick([
        'malformed JSON',
        'not an object',
        'schema violation',
        'schema violation',
        'wrong content type',
        'too big',
        'too deep',
      ])
    : pick(['malformed XML', 'not a schedule', 'malformed JSON', 'wrong content type']);
  const json = (value: unknown) => {
    headers['content-type'] = 'application/json';
    return JSON.stringify(value);
  };
  let body: string;
  switch (kind) {
    case 'malformed JSON': {
      const text = JSON.stringify(route.body ? badObject(route.body) : { a: junk() });
      headers['content-type'] = 'application/json';
      body = `${text.slice(0, random.int(1, Math.max(1, text.length - 1)))}${pick(['', ',', '{', '"'])}`;
      break;
    }
    case 'not an object':
      body = json(pick([[junk()], 42, 'text', null, true]));
      break;
    case 'schema violation':
      body = json(badObject(route.body as string));
      break;
    case 'wrong content type':
      headers['content-type'] = pick(['text/plain', 'application/x-www-form-urlencoded', 'image/png']);
      body = 'a=1&b=2';
      break;
    case 'too big':
      body = json({ note: 'x'.repeat(300_000) });
      break;
    case 'too deep':
      headers['content-type'] = 'application/json';
      body = `${'{"a":'.repeat(3_000)}1${'}'.repeat(3_000)}`;
      break;
    case 'malformed XML':
      headers['content-type'] = 'application/xml';
      body = `<ProductionSchedule><ProductionRequest><ID>${pick(STRINGS)}${pick(['', '</ID>', '<', '&'])}`;
      break;
    default:
      body = json({ ProductionSchedule: { ProductionRequest: [{ ID: junk() }] } });
  }
  return { method, path, headers, body, kind: badPath ? `${kind}, bad path` : kind };
};

describe('reliability: every route fuzzed with generated bad inputs', function () {
  const temp = makeTempDir('mes-reliability-fuzz-');
  const keys = makeKeys(temp.dir);
  let backbone: BackboneProcess;
  after(async () => {
    await backbone?.stop('SIGTERM');
    temp.remove();
  });

  it(`answers ${INPUTS.toLocaleString('en-US')} bad inputs with 4xx problem documents, never a 5xx, writes no event and keeps running`, async () => {
    backbone = await startBackboneProcess({
      DATA_DIR: join(temp.dir, 'data'),
      API_KEYS_FILE: keys.file,
      LOG_LEVEL: 'error',
    });
    // refusals are recorded in the security trail (403s, reads); the business log must not move
    const businessEvents = async () =>
      (
        await (
          await fetch(`${backbone.baseUrl}/api/export`, { headers: { authorization: `Bearer ${keys.tokens.all}` } })
        ).text()
      )
        .split('\n')
        .filter(Boolean).length;
    // each route is fuzzed with a key it allows, so its own validation answers (the logins need none)
    const tokenFor = (route: RouteSpec): string =>
      route.roles.length === 0 || route.roles.some((r) => ALL_BUSINESS_ROLES.includes(r))
        ? keys.tokens.all
        : keys.tokens[route.roles[0] as keyof typeof keys.tokens];
    const before = await businessEvents();
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < INPUTS; i = next++) {
        const route = ROUTES[i % ROUTES.length] as RouteSpec;
        const input = generate(route);
        const controller = new AbortController();
        const response = await fetch(`${backbone.baseUrl}${input.path}`, {
          method: input.method,
          headers: { authorization: `Bearer ${tokenFor(route)}`, ...input.headers },
          signal: controller.signal,
          ...(input.body === undefined ? {} : { body: input.body }),
        });
        const type = response.headers.get('content-type') ?? '';
        // a live stream (SSE) that opened is not an error; it is closed at once
        if (response.ok && type.startsWith('text/event-stream')) controller.abort();
        else await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const where = `${input.kind}: ${input.method} ${input.path.slice(0, 120)} -> ${response.status}`;
        if (response.status < 400 || response.status >= 500 || !type.startsWith('application/problem+json'))
          failures.push(where);
      }
    };
    await Promise.all(Array.from({ length: 16 }, () => worker()));
    expect(failures.slice(0, 10), `${failures.length} answers not a 4xx problem`).to.deep.equal([]);
    expect(await businessEvents(), 'no event written').to.equal(before);
    expect((await fetch(`${backbone.baseUrl}/health`)).status, 'still running').to.equal(200);
    const histogram = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`);
    figure(`bad inputs tried (${ROUTES.length} routes, scale ${scale})`, INPUTS);
    figure('answers by status', histogram.join(', '));
  });
});
