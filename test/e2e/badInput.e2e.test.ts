import { expect } from 'chai';
import { allRoutes, type ApiDeps } from '../../src/api/app';
import { startBackboneProcess, type BackboneProcess } from '../support/backboneProcess';
import { client, makeKeys } from '../support/apiClient';
import { makeTempDir } from '../support/tmp';

const COMMANDS = allRoutes({} as ApiDeps).filter((r) => r.kind === 'command');
const fill = (path: string) => path.replace(/:([A-Za-z]+)/g, 'X1');

/** Bodies no command route may accept: each must get a 4xx problem document and write nothing. */
const BAD_BODIES: Array<[string, string, string]> = [
  ['malformed JSON', '{"orderId": "PO-1", ', 'application/json'],
  ['JSON that is not an object', '["orderId"]', 'application/json'],
  ['a bare string', '"release"', 'application/json'],
  [
    'wrong types everywhere',
    JSON.stringify({
      orderId: 12,
      quantity: 'ten',
      priority: [],
      good: '5',
      reason: false,
      results: 'all fine',
      state: 7,
    }),
    'application/json',
  ],
  ['an extra field', JSON.stringify({ unexpected: 'field' }), 'application/json'],
  [
    '__proto__ and constructor keys',
    '{"__proto__": {"isAdmin": true}, "constructor": {"prototype": {"polluted": true}}}',
    'application/json',
  ],
  [
    'odd unicode in ids',
    JSON.stringify({ orderId: '\u202eOP\u200b', lotId: 'L\u0000', reason: '\ud800' }),
    'application/json',
  ],
  ['a huge body', JSON.stringify({ reason: 'x'.repeat(300_000) }), 'application/json'],
  ['nested too deep', `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`, 'application/json'],
  ['plain text', 'orderId=PO-1', 'text/plain'],
  ['a form', 'orderId=PO-1&quantity=10', 'application/x-www-form-urlencoded'],
  ['no content type', '{}', ''],
];

describe('bad input to every command route', function () {
  this.timeout(120_000);
  const temp = makeTempDir('mes-bad-');
  const keys = makeKeys(temp.dir);
  let backbone: BackboneProcess;
  let api: ReturnType<typeof client>;
  // the business log's newest event: the security trail records refused requests (access denied) on purpose
  const head = async () => {
    const lines = (await api.call('GET', '/api/export', { as: 'auditor' })).text.trim().split('\n').filter(Boolean);
    const last = lines.at(-1);
    return last === undefined ? null : (JSON.parse(last) as { position: string }).position;
  };

  before(async () => {
    backbone = await startBackboneProcess({ DATA_DIR: temp.dir, API_KEYS_FILE: keys.file });
    api = client(backbone.baseUrl, keys.tokens);
  });
  after(async () => {
    await backbone.stop();
    temp.remove();
  });

  it('answers every bad body with a 4xx problem document naming what is wrong, and writes no event', async () => {
    const before = await head();
    let tried = 0;
    for (const route of COMMANDS) {
      for (const [name, raw, type] of BAD_BODIES) {
        const response = await api.call(route.method.toUpperCase(), fill(route.path), {
          raw,
          headers: type ? { 'content-type': type } : {},
        });
        tried += 1;
        const where = `${name} to ${route.method} ${route.path}`;
        expect(response.status, where).to.be.within(400, 499);
        expect(response.headers.get('content-type'), where).to.match(/^application\/problem\+json/);
        expect(response.body, where).to.have.property('title');
      }
    }
    expect(tried).to.equal(COMMANDS.length * BAD_BODIES.length);
    expect(await head(), 'the log is unchanged').to.equal(before);
  });

  it('names the failing fields for missing and wrongly typed ones', async () => {
    const missing = await api.post('/api/orders', { orderId: 'PO-BAD' });
    expect(missing.status).to.equal(400);
    const paths = (missing.body as { errors: Array<{ path: string }> }).errors.map((e) => e.path);
    expect(paths).to.include.members(['/product', '/quantity', '/dueDate']);
    const typed = await api.post('/api/orders/X1/operations/010/report', { good: 'five', scrap: 0, rework: 0 });
    expect((typed.body as { errors: Array<{ path: string; message: string }> }).errors).to.deep.include({
      path: '/good',
      message: 'must be number',
    });
  });

  it('refuses ids in the path that are not ids, and bad headers, with 400', async () => {
    for (const path of [
      '/api/orders/%E2%80%AE%00/release',
      '/api/lots/a%20b/scrap',
      `/api/orders/${'x'.repeat(150)}/hold`,
    ]) {
      const response = await api.post(path, { reason: 'x' });
      expect(response.status, path).to.equal(400);
    }
    expect((await api.post('/api/orders/X1/release', {}, 'all', { 'if-match': 'yesterday' })).status).to.equal(400);
    expect(
      (await api.post('/api/orders/X1/release', {}, 'all', { 'idempotency-key': 'has spaces in it' })).status,
    ).to.equal(400);
  });
});
