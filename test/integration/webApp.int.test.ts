import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import express from 'express';
import { notFound } from '../../src/api/problem';
import { serveWebApp } from '../../src/api/webApp';
import { makeTempDir } from '../support/tmp';

const serve = async (root: string): Promise<{ url: string; server: Server }> => {
  const app = express();
  app.get('/health', (_req, res) => void res.json({ status: 'ok' }));
  serveWebApp(app, root);
  app.use(notFound);
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
};

describe('the web app served at / (src/api/webApp.ts)', () => {
  const temp = makeTempDir('mes-web-');
  let built: { url: string; server: Server };
  let missing: { url: string; server: Server };
  before(async () => {
    const root = join(temp.dir, 'web');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>MES 车间终端</title>');
    writeFileSync(join(root, 'assets', 'index-AbC123.js'), 'console.log(1)');
    writeFileSync(join(root, 'assets', 'index-AbC123.js.gz'), gzipSync('console.log(1)'));
    writeFileSync(join(root, 'sw.js'), 'self.addEventListener("fetch", () => {})');
    built = await serve(root);
    missing = await serve(join(temp.dir, 'not-built'));
  });
  after(() => {
    built.server.close();
    missing.server.close();
    temp.remove();
  });

  it('serves index.html at / and on app routes, revalidated every time', async () => {
    for (const path of ['/', '/work', '/op/PO-1/010']) {
      const response = await fetch(`${built.url}${path}`, { headers: { accept: 'text/html' } });
      expect(response.status, path).to.equal(200);
      expect(await response.text(), path).to.include('MES 车间终端');
      expect(response.headers.get('cache-control'), path).to.equal('no-cache');
    }
  });

  it('caches hashed assets for good and the service worker not at all', async () => {
    const asset = await fetch(`${built.url}/assets/index-AbC123.js`);
    expect(asset.status).to.equal(200);
    expect(asset.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
    const raw = await fetch(`${built.url}/assets/index-AbC123.js`, { headers: { 'accept-encoding': 'identity' } });
    expect([raw.headers.get('content-encoding'), await raw.text()]).to.deep.equal([null, 'console.log(1)']);
    const worker = await fetch(`${built.url}/sw.js`);
    expect(worker.headers.get('cache-control')).to.equal('no-cache');
  });

  it('sends the gzipped copy of an asset to a client that takes gzip', async () => {
    const response = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      // fetch would inflate it unseen: read the bytes as sent
      void import('node:http').then(({ get }) =>
        get(`${built.url}/assets/index-AbC123.js`, { headers: { 'accept-encoding': 'gzip, br' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        }).on('error', reject),
      );
    });
    expect(response.headers['content-encoding']).to.equal('gzip');
    expect(response.headers['content-type']).to.match(/javascript/);
    expect(response.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
    expect(gunzipSync(response.body).toString()).to.equal('console.log(1)');
  });

  it('leaves other paths alone: unknown /api paths, missing files and unknown paths stay 404 problem documents', async () => {
    expect((await fetch(`${built.url}/health`)).status).to.equal(200);
    for (const path of ['/api/nothing', '/assets/gone-1.js', '/metrics/x', '/no/such/route', '/workshop']) {
      const response = await fetch(`${built.url}${path}`, { headers: { accept: 'text/html' } });
      expect(response.status, path).to.equal(404);
      expect(response.headers.get('content-type'), path).to.match(/application\/problem\+json/);
    }
    expect((await fetch(`${built.url}/work`, { method: 'POST' })).status).to.equal(404);
  });

  it('says to run npm run build when the app is not built, as HTML or as a problem document', async () => {
    const page = await fetch(`${missing.url}/`, { headers: { accept: 'text/html' } });
    expect(page.status).to.equal(503);
    expect(await page.text()).to.include('npm run build');
    const problem = await fetch(`${missing.url}/work`, { headers: { accept: 'application/json' } });
    expect(problem.status).to.equal(503);
    expect(((await problem.json()) as { detail: string }).detail).to.include('npm run build');
    expect((await fetch(`${missing.url}/health`)).status).to.equal(200);
  });
});
