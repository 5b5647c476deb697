import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { startBackboneProcess, type BackboneProcess } from '../support/backboneProcess';
import { makeKeys } from '../support/apiClient';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

describe('HTTP hardening: TLS, security headers, bodies read after authentication, timeouts, metrics and documents', function () {
  this.timeout(120_000);
  const temp = makeTempDir('mes-https-');
  const keys = makeKeys(temp.dir);
  const cert = join(temp.dir, 'cert.pem');
  const key = join(temp.dir, 'key.pem');
  const metricsToken = 'metrics-token-0123456789abcdef';
  let backbone: BackboneProcess;
  let ca: string;

  const call = (path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: backbone.port,
          path,
          method: options.method ?? 'GET',
          headers: options.headers,
          ca,
          servername: 'localhost',
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });

  before(async () => {
    // a self-signed certificate for localhost, made as an operator would with openssl
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    ca = readFileSync(cert, 'utf8');
    writeFileSync(join(temp.dir, 'metrics.token'), `${metricsToken}\n`, { mode: 0o600 });
    backbone = await startBackboneProcess({
      DATA_DIR: join(temp.dir, 'data'),
      API_KEYS_FILE: keys.file,
      TLS_CERT_FILE: cert,
      TLS_KEY_FILE: key,
      HTTP_HEADERS_TIMEOUT_SECONDS: '1',
      HTTP_REQUEST_TIMEOUT_SECONDS: '2',
      METRICS_TOKEN_FILE: join(temp.dir, 'metrics.token'),
      SSE_MAX_STREAMS_PER_CALLER: '2',
    });
  });
  after(async () => {
    await backbone.stop();
    temp.remove();
  });

  it('serves HTTPS with helmet’s headers, HSTS, and the data headers with no-store on the API', async () => {
    const health = await call('/health');
    expect(health.status).to.equal(200);
    expect(health.headers['strict-transport-security']).to.match(/max-age=\d+/);
    expect(health.headers['x-content-type-options']).to.equal('nosniff');
    expect(health.headers['content-security-policy']).to.include("frame-ancestors 'none'");
    expect(health.headers['cross-origin-opener-policy']).to.equal('same-origin');
    const me = await call('/api/me', { headers: { authorization: `Bearer ${keys.tokens.operator}` } });
    expect(me.headers).to.deep.include({
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'cross-origin-resource-policy': 'same-origin',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });
    expect(me.headers['strict-transport-security']).to.match(/max-age=\d+/);
    // helmet's headers for documents: an answer of the API is never one
    expect(me.headers).to.not.have.any.keys('cross-origin-opener-policy', 'origin-agent-cluster', 'x-xss-protection');
    const unknown = await call('/api/wip/orders/NOPE', {
      headers: { authorization: `Bearer ${keys.tokens.operator}` },
    });
    expect(unknown.status).to.equal(404);
    expect(unknown.headers['content-security-policy']).to.equal("default-src 'none'; frame-ancestors 'none'");
  });

  it('reads no body before the caller is known: an unknown caller’s broken JSON is a 401, not a parse error', async () => {
    const broken = await call('/api/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"orderId": ',
    });
    expect(broken.status).to.equal(401);
    const forbidden = await call('/api/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.tokens.operator}` },
      body: '{"orderId": ',
    });
    expect(forbidden.status).to.equal(403);
    const known = await call('/api/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.tokens.planner}` },
      body: '{"orderId": ',
    });
    expect(known.status).to.equal(400);
  });

  it('cuts off a client that sends its headers too slowly (HTTP_HEADERS_TIMEOUT_SECONDS)', async () => {
    const started = Date.now();
    const closed = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: backbone.port, ca, servername: 'localhost' }, () => {
        socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n');
      });
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
    expect(closed).to.match(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).to.be.below(10_000);
  });

  it('answers /metrics to the metrics token only, and the API documents after a login', async () => {
    expect((await call('/metrics')).status).to.equal(401);
    const metrics = await call('/metrics', { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(metrics.status).to.equal(200);
    expect(metrics.body).to.include('event_store_events_total');
    expect((await call('/openapi.json')).status).to.equal(401);
    expect(
      (await call('/openapi.json', { headers: { authorization: `Bearer ${keys.tokens.analyst}` } })).status,
    ).to.equal(200);
  });

  it('caps the live streams one caller holds open (429), and gives the place back when one closes', async () => {
    const open = () =>
      new Promise<{ status: number; retryAfter: string | undefined; close: () => void }>((resolve, reject) => {
        const req = httpsRequest(
          {
            host: '127.0.0.1',
            port: backbone.port,
            path: '/api/events/stream',
            headers: { authorization: `Bearer ${keys.tokens.integrator}`, accept: 'text/event-stream' },
            ca,
            servername: 'localhost',
          },
          (res) => {
            const retryAfter = res.headers['retry-after'];
            resolve({ status: res.statusCode ?? 0, retryAfter, close: () => req.destroy() });
          },
        );
        req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
        req.end();
      });
    const first = await open();
    const second = await open();
    expect([first.status, second.status]).to.deep.equal([200, 200]);
    const third = await open();
    expect(third.status).to.equal(429);
    expect(third.retryAfter).to.match(/^\d+$/);
    third.close();
    first.close();
    // the closed stream's place is free again once the backbone has seen the close
    const fourth = await waitFor(async () => {
      const attempt = await open();
      if (attempt.status === 200) return attempt;
      attempt.close();
      return undefined;
    }, 'a place for a new stream');
    fourth.close();
    second.close();
  });
});
