import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
export const WEB_DIST = join(ROOT, 'dist', 'web');
const SOURCES = [join(ROOT, 'web'), join(ROOT, 'scripts', 'webBudget.ts')];

const newest = (path: string): number => {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
};

/** Builds the web app (`npm run build:web`) unless dist/web is newer than every file it is built from. */
export const ensureWebBuild = (): { built: boolean; output: string } => {
  const index = join(WEB_DIST, 'index.html');
  const manifest = join(WEB_DIST, '.vite', 'manifest.json');
  if (existsSync(index) && existsSync(manifest) && statSync(index).mtimeMs > Math.max(...SOURCES.map(newest)))
    return { built: false, output: '' };
  const run = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
    },
  );
  if (run.status !== 0) throw new Error(`the web app did not build:\n${run.stdout}\n${run.stderr}`);
  return { built: true, output: run.stdout };
};
