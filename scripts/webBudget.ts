import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The most JavaScript a PDA route may load before it runs, gzipped (issue 16). */
export const BUDGET_BYTES = 250 * 1024;

type ManifestChunk = { file: string; imports?: string[] };
/** Vite's build manifest (`.vite/manifest.json`): source path to emitted chunk and its static imports. */
export type Manifest = Record<string, ManifestChunk>;

export type RouteSize = { route: string; files: string[]; gzipBytes: number };

/** The scripts index.html loads or preloads: every page pays for them before it runs. */
export const initialScripts = (html: string): string[] =>
  [
    ...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g),
    ...html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g),
  ].map((m) => (m[1] as string).replace(/^\//, ''));

/** A chunk's file and the files of its static imports, transitively. */
const closure = (manifest: Manifest, key: string, into: Set<string>): Set<string> => {
  const chunk = manifest[key];
  if (!chunk || into.has(chunk.file)) return into;
  into.add(chunk.file);
  for (const imported of chunk.imports ?? []) closure(manifest, imported, into);
  return into;
};

/**
 * Each PDA route's initial JavaScript: what index.html loads (the entry, with the work list, the
 * screen the app opens on) plus the route's lazy chunk and its static imports, gzipped. Workers and
 * chunks loaded on demand (the camera decoder, English) are not counted.
 */
export const measureRoutes = (
  manifest: Manifest,
  html: string,
  sizeOf: (file: string) => number,
  isRoute: (source: string) => boolean = (source) => /^src\/pda\/[^/]+Page\.vue$/.test(source),
): RouteSize[] => {
  const initial = initialScripts(html);
  const size = (route: string, files: string[]): RouteSize => {
    const js = files.filter((f) => f.endsWith('.js'));
    return { route, files: js, gzipBytes: js.reduce((sum, f) => sum + sizeOf(f), 0) };
  };
  return [
    size('index.html', initial),
    ...Object.keys(manifest)
      .filter(isRoute)
      .sort()
      .map((route) => size(route, [...closure(manifest, route, new Set(initial))])),
  ];
};

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

/** Measures a built app folder; `over` lists the routes past the budget. */
export const checkBudget = (
  dir: string,
  budget = BUDGET_BYTES,
): { routes: RouteSize[]; over: RouteSize[]; report: string } => {
  const manifest = JSON.parse(readFileSync(join(dir, '.vite', 'manifest.json'), 'utf8')) as Manifest;
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const sizes = new Map<string, number>();
  const sizeOf = (file: string): number => {
    const known = sizes.get(file);
    if (known !== undefined) return known;
    const size = gzipSync(readFileSync(join(dir, file)), { level: 9 }).length;
    sizes.set(file, size);
    return size;
  };
  const routes = measureRoutes(manifest, html, sizeOf);
  if (routes.length < 2) throw new Error(`no lazy PDA route found in ${dir}/.vite/manifest.json`);
  const over = routes.filter((r) => r.gzipBytes > budget);
  const width = Math.max(...routes.map((r) => r.route.length));
  const report = [
    `initial JavaScript per PDA route, gzipped (budget ${kb(budget)}):`,
    ...routes.map(
      (r) => `  ${r.route.padEnd(width)}  ${kb(r.gzipBytes).padStart(9)}${r.gzipBytes > budget ? '  OVER' : ''}`,
    ),
  ].join('\n');
  return { routes, over, report };
};
