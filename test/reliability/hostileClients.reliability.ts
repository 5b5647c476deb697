import { expect } from 'chai';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { client, makeKeys } from '../support/apiClient';
import { startBackboneProcess, type BackboneProcess } from '../support/backboneProcess';
import { orderSpec } from '../support/fixtures';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';
import { byScale, figure } from './figures';

const HEADERS_TIMEOUT_S = 2;
const REQUEST_TIMEOUT_S = 4;
const SLOW_CLIENTS = byScale(40, 400);

type RawAnswer = { text: string; ms: number; error?: string };

/** Sends bytes on a raw connection and waits for the server to close it: what it answered, and when. */
const raw = (port: number, send: (socket: Socket) => void | Promise<void>): Promise<RawAnswer> =>
  new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let error: string | undefined;
    socket.on('connect', () => void Promise.resolve(send(socket)).catch(() => undefined));
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () =>
      resolve({ text, ms: performance.now() - started, ...(error === undefined ? {} : { error }) }),
    );
  });

/** Writes `chunks` one by one, `everyMs` apart, while the socket is open. */
const trickle = async (socket: Socket, chunks: string[], everyMs: number): Promise<void> => {
  for (const chunk of chunks) {
    if (socket.destroyed) return;
    socket.write(chunk);
    await sleep(everyMs);
  }
};

const statusOf = (answer: RawAnswer): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer.text)?.[1] ?? 0);

describe('reliability: hostile clients (crafted cursors, quadratic XML, huge headers, slowloris)', function () {
  const temp = makeTempDir('mes-reliability-hostile-');
  const keys = makeKeys(temp.dir);
  let backbone: BackboneProcess;
  let api: ReturnType<typeof client>;
  before(async () => {
    backbone = await startBackboneProcess({
      DATA_DIR: join(temp.dir, 'data'),
      API_KEYS_FILE: keys.file,
      LOG_LEVEL: 'error',
      HTTP_HEADERS_TIMEOUT_SECONDS: String(HEADERS_TIMEOUT_S),
      HTTP_REQUEST_TIMEOUT_SECONDS: String(REQUEST_TIMEOUT_S),
    });
    api = client(backbone.baseUrl, keys.tokens);
  });
  after(async () => {
    await backbone?.stop('SIGTERM');
    temp.remove();
  });

  /** /health answered while something else goes on: how many answers, and the slowest. */
  const pingWhile = async <T>(work: Promise<T>): Promise<{ result: T; pings: number; slowestMs: number }> => {
    let finished = false;
    let pings = 0;
    let slowestMs = 0;
    const pinging = (async () => {
      while (!finished) {
        const started = performance.now();
        expect((await fetch(`${backbone.baseUrl}/health`)).status, 'the backbone still serves').to.equal(200);
        slowestMs = Math.max(slowestMs, performance.now() - started);
        pings += 1;
        await sleep(50);
      }
    })();
    const result = await work;
    finished = true;
    await pinging;
    return { result, pings, slowestMs };
  };

  it('refuses crafted paging cursors (tampered signature, query operators, non-scalars, huge) with a 400 naming the cursor', async () => {
    const { source: _source, ...spec } = orderSpec({ dueDate: '2027-12-01T00:00:00Z' });
    for (const orderId of ['PO-H1', 'PO-H2'])
      expect((await api.call('POST', '/api/orders', { body: { orderId, ...spec } })).status).to.equal(201);
    const first = await waitFor(async () => {
      const page = (await api.get('/api/wip/orders?limit=1&sort=orderId')).body as { nextCursor?: string };
      return page.nextCursor;
    }, 'two orders in the read model and a cursor past the first');
    const second = (await api.get(`/api/wip/orders?limit=1&sort=orderId&cursor=${first}`)).body as {
      items: { orderId: string }[];
    };
    expect(
      second.items.map((o) => o.orderId),
      'the cursor given out pages on',
    ).to.deep.equal(['PO-H2']);

    const [payload, mac] = first.split('.') as [string, string];
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const crafted = [
      { $ne: 1 },
      [{ $ne: 1 }, 'PO-H1'],
      [1, { $gt: '' }],
      { $where: 'sleep(1000)' },
      [[1, 2], 'PO-H1'],
      ['PO-H1', ['PO-H2']],
      [null, null],
      ['a', 'b', 'c'],
      'PO-H1',
      12,
    ];
    const flip = (text: string) => `${text.slice(0, -1)}${text.endsWith('A') ? 'B' : 'A'}`;
    const cursors: string[] = [
      `${payload}.${flip(mac)}`,
      `${flip(payload)}.${mac}`,
      `${payload}.${mac}.${mac}`,
      `${payload}.`,
      `.${mac}`,
      '.',
      '..',
      'é.é',
      `${encode('not json')}x.${mac}`,
      // a payload of the attacker's with the genuine signature of another, or with a made-up one
      ...crafted.flatMap((value) => [`${encode(value)}.${mac}`, `${encode(value)}.${'A'.repeat(22)}`]),
      'A'.repeat(501),
      `${'A'.repeat(5_000)}.${mac}`,
      `${encode(['x'.repeat(10_000), 'PO-H1'])}.${mac}`,
    ];
    const queries = [
      ...cursors.map((cursor) => `cursor=${encodeURIComponent(cursor)}`),
      // non-scalars and operators in the query string itself
      `cursor=${first}&cursor=${first}`,
      'cursor[$ne]=1',
      'cursor[]=a',
      `cursor[payload]=${payload}`,
      'cursor=',
    ];
    const routes = ['/api/wip/orders?limit=1&', '/api/master/products?limit=1&'];
    const refused: string[] = [];
    for (const route of routes)
      for (const query of queries) {
        const answer = await api.get(`${route}${query}`);
        const type = answer.headers.get('content-type') ?? '';
        if (answer.status === 400 && type.startsWith('application/problem+json') && answer.text.includes('cursor'))
          refused.push(query);
        else expect.fail(`${route}${query.slice(0, 80)}: ${answer.status} ${answer.text.slice(0, 200)}`);
      }
    figure('crafted paging cursors refused 400 (2 routes)', refused.length);
  });

  it('answers 1 MiB of unclosed XML tags to the B2MML import with a 4xx, without holding the event loop', async () => {
    const bodies = { '<a': '<a'.repeat(512 * 1024), '<a x="': '<a x="'.repeat(174_762), '<a>': '<a>'.repeat(349_525) };
    for (const [name, body] of Object.entries(bodies)) {
      const { result, pings, slowestMs } = await pingWhile(
        (async () => {
          const started = performance.now();
          const answer = await api.call('POST', '/api/erp/production-schedules', {
            raw: body,
            headers: { 'content-type': 'application/xml' },
          });
          return { answer, ms: performance.now() - started };
        })(),
      );
      expect(result.answer.status, `${name}: ${result.answer.text.slice(0, 200)}`).to.be.within(400, 499);
      expect(result.answer.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(result.answer.text.length, `${name}: the problem does not echo the body`).to.be.below(10_000);
      expect(pings, 'the backbone answered /health meanwhile').to.be.greaterThan(0);
      // a quadratic parse of 1 MiB takes minutes; these bounds are far above a linear one on a busy machine
      expect(result.ms, `${name}: answered in`).to.be.below(30_000);
      expect(slowestMs, `${name}: slowest /health meanwhile`).to.be.below(10_000);
      figure(
        `1 MiB of ${name} to the B2MML import`,
        `${result.answer.status} in ${Math.round(result.ms)} ms; problem ${result.answer.text.length.toLocaleString('en-US')} bytes; slowest of ${pings} /health ${Math.round(slowestMs)} ms`,
      );
    }
  });

  it('refuses a huge header and a great many headers with 431, and keeps serving', async () => {
    const request = (headers: string) => `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`;
    const cases = {
      'one 64 KiB header': request(`X-Big: ${'a'.repeat(64 * 1024)}\r\n`),
      '4,000 headers': request(Array.from({ length: 4_000 }, (_, n) => `X-H${n}: ${n}\r\n`).join('')),
      '1 MiB of headers': request(`X-Big: ${'a'.repeat(1024 * 1024)}\r\n`),
    };
    for (const [name, text] of Object.entries(cases)) {
      const answer = await raw(backbone.port, (socket) => void socket.write(text));
      // 431 when Node read enough to refuse; a connection reset while the rest was still being sent is a clean refusal too
      const clean = statusOf(answer) === 431 || (answer.text === '' && answer.error === 'ECONNRESET');
      expect(clean, `${name}: ${answer.text.slice(0, 100)} ${answer.error ?? ''}`).to.equal(true);
      expect((await fetch(`${backbone.baseUrl}/health`)).status, `serving after ${name}`).to.equal(200);
      figure(`${name}`, answer.text ? `${statusOf(answer)} in ${Math.round(answer.ms)} ms` : `reset (${answer.error})`);
    }
  });

  it(`cuts off ${SLOW_CLIENTS} clients trickling headers and ${SLOW_CLIENTS} trickling a body, and serves others meanwhile`, async () => {
    const headerLines = Array.from({ length: 200 }, (_, n) => `X-Slow-${n}: ${n}\r\n`);
    const slowHeaders = () =>
      raw(backbone.port, (socket) =>
        trickle(socket, ['GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n', ...headerLines], 250),
      );
    const body = JSON.stringify({ orderId: 'PO-SLOW', note: 'x'.repeat(2_000) });
    const slowBody = () =>
      raw(backbone.port, (socket) =>
        trickle(
          socket,
          [
            `POST /api/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${keys.tokens.planner}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
            ...body.split(''),
          ],
          250,
        ),
      );
    const { result, pings, slowestMs } = await pingWhile(
      Promise.all([
        Promise.all(Array.from({ length: SLOW_CLIENTS }, slowHeaders)),
        Promise.all(Array.from({ length: SLOW_CLIENTS }, slowBody)),
      ]),
    );
    const [headers, bodies] = result;
    const slowest = (answers: RawAnswer[]) => Math.max(...answers.map((a) => a.ms));
    // Node checks its connections every second: cut off within the timeout and a few checks, on a busy machine
    expect(
      headers.map(statusOf).filter((s) => s !== 408),
      'every header trickler answered 408',
    ).to.deep.equal([]);
    expect(slowest(headers), 'header tricklers cut off by').to.be.below((HEADERS_TIMEOUT_S + 20) * 1000);
    expect(
      bodies.map(statusOf).filter((s) => s !== 408),
      'every body trickler answered 408',
    ).to.deep.equal([]);
    expect(slowest(bodies), 'body tricklers cut off by').to.be.below((REQUEST_TIMEOUT_S + 20) * 1000);
    expect(pings, 'others served meanwhile').to.be.greaterThan(0);
    expect((await api.get('/api/wip/orders?limit=1000')).text, 'no order from a trickled body').not.to.include(
      'PO-SLOW',
    );
    figure(
      `slowloris: header tricklers cut off (HTTP_HEADERS_TIMEOUT_SECONDS=${HEADERS_TIMEOUT_S})`,
      `${headers.length} of ${SLOW_CLIENTS}, the last after ${(slowest(headers) / 1000).toFixed(1)} s`,
    );
    figure(
      `slowloris: body tricklers cut off (HTTP_REQUEST_TIMEOUT_SECONDS=${REQUEST_TIMEOUT_S})`,
      `${bodies.length} of ${SLOW_CLIENTS}, the last after ${(slowest(bodies) / 1000).toFixed(1)} s`,
    );
    figure('slowloris: /health answered meanwhile', `${pings}, the slowest in ${Math.round(slowestMs)} ms`);
  });
});
