import { existsSync } from 'node:fs';
import { dirname, extname, join, normalize, sep } from 'node:path';
import express, { type Express } from 'express';
import { sendProblem } from './problem';

// the backbone's own paths keep their answers (an unknown /api path stays a 404 problem document)
const SERVER_PATHS = /^\/(api|health|ready|metrics|openapi\.json|asyncapi\.json|docs)(\/|$)/;
// the app's own routes (web/src/router.ts) answer its shell; any other path stays a 404 problem document
const APP_ROUTES = /^\/((login|work|op|review|labels|office)(\/.*)?)?$/;

/** The nearest folder up with a package.json: the project, whether this runs from src/api or compiled dist/api. */
const projectRoot = (from: string): string => {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
};

/** Where `npm run build:web` puts the app. */
export const defaultWebRoot = (): string => join(projectRoot(__dirname), 'dist', 'web');

const NOT_BUILT = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>MES</title>
<p>网页应用尚未构建：请运行 <code>npm run build</code>。</p>
<p>The web app is not built: run <code>npm run build</code>.</p></html>`;

/**
 * Serves the built web app at `/`: hashed assets cached for good, everything else (index.html, the
 * service worker, the manifest) revalidated; app routes fall back to index.html. Without a build, `/`
 * says how to make one.
 */
export const serveWebApp = (app: Express, root = defaultWebRoot()): void => {
  const assets = join(root, 'assets') + sep;
  const files = express.static(root, {
    index: false,
    setHeaders: (res, path) =>
      res.set('Cache-Control', path.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  // the build writes a gzipped copy of each script and style sheet (web/vite.config.ts): a third of the bytes on workshop Wi-Fi
  app.use('/assets', (req, res, next) => {
    const file = normalize(join(assets, req.path));
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !file.startsWith(assets)) return next();
    if (!/\bgzip\b/.test(req.get('accept-encoding') ?? '') || !existsSync(`${file}.gz`)) return next();
    res
      .set({
        'Content-Encoding': 'gzip',
        Vary: 'Accept-Encoding',
        'Cache-Control': 'public, max-age=31536000, immutable',
      })
      .type(extname(file))
      .sendFile(`${file}.gz`);
  });
  app.use((req, res, next) => (SERVER_PATHS.test(req.path) ? next() : files(req, res, next)));
  app.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !APP_ROUTES.test(req.path)) return next();
    const index = join(root, 'index.html');
    if (!existsSync(index)) {
      if (req.accepts(['html', 'json']) === 'html') return void res.status(503).type('html').send(NOT_BUILT);
      return sendProblem(res, 'web-app-not-built', 503, 'Web app not built', 'run npm run build to build the web app');
    }
    res.set('Cache-Control', 'no-cache').sendFile(index);
  });
};
