// Builds dist/ with `npm run build` when it is missing or older than what it is built from, so that
// `npm ci && npm start` works on a fresh clone and never runs code older than the sources.
// Plain JavaScript on purpose: it runs before anything is compiled, without ts-node.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SERVER_MAIN = join(ROOT, 'dist', 'main', 'main.js');
/** What dist/ is built from; a web app built into dist/ would add its folder here. */
const SOURCES = ['src', 'tsconfig.json', 'tsconfig.build.json'];

/** The newest file or folder under `path` (a folder's own time moves when an entry is deleted). */
const newest = (path) => {
  const stat = statSync(path);
  const self = { path, mtimeMs: stat.mtimeMs };
  if (!stat.isDirectory()) return self;
  return readdirSync(path)
    .map((name) => newest(join(path, name)))
    .reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a), self);
};

/** Why dist/ must be built, or undefined when it is up to date. tsc rewrites every output, so one stands for all. */
export const staleReason = () => {
  let built;
  try {
    built = statSync(SERVER_MAIN).mtimeMs;
  } catch {
    return `${relative(ROOT, SERVER_MAIN)} is missing`;
  }
  const source = SOURCES.map((name) => newest(join(ROOT, name))).reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a));
  return source.mtimeMs > built ? `${relative(ROOT, source.path)} is newer than the build` : undefined;
};

const npm = () => (process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ['npm', []]);

/** Builds when stale; exits the process when the build fails (tsc has printed why). */
export const buildIfStale = () => {
  const reason = staleReason();
  if (reason === undefined) return false;
  process.stderr.write(`building dist/: ${reason}\n`);
  const [command, prefix] = npm();
  const run = spawnSync(command, [...prefix, 'run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (run.status !== 0) {
    process.stderr.write(
      run.error?.code === 'ENOENT'
        ? 'cannot build dist/: npm is not on the PATH\n'
        : 'cannot build dist/: the build failed (typescript comes with `npm ci`; a production install without it needs a built dist/)\n',
    );
    process.exit(1);
  }
  return true;
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) buildIfStale();
