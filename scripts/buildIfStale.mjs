// Builds dist/ with `npm run build` when it is missing or older than what it is built from, so that
// `npm ci && npm start` works on a fresh clone and never runs code older than the sources.
// Plain JavaScript on purpose: it runs before anything is compiled, without ts-node.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join('dist', 'main', 'main.js');
export const SERVER_MAIN = join(ROOT, MAIN);
/** Each output of `npm run build` (one file that every build rewrites) and what it is built from. */
const OUTPUTS = [
  { built: MAIN, from: ['src', 'tsconfig.json', 'tsconfig.build.json'] },
  { built: join('dist', 'web', 'index.html'), from: ['web'] },
];

/** The newest file or folder under `path` (a folder's own time moves when an entry is deleted). */
const newest = (path) => {
  // a copy that ships dist/ without its sources runs dist/ as it is
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return { path, mtimeMs: -Infinity };
  const self = { path, mtimeMs: stat.mtimeMs };
  if (!stat.isDirectory()) return self;
  return readdirSync(path)
    .map((name) => newest(join(path, name)))
    .reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a), self);
};

/** Why dist/ must be built, or undefined when it is up to date. Each build rewrites its output, so one file stands for all. */
export const staleReason = (root = ROOT) => {
  for (const output of OUTPUTS) {
    const built = statSync(join(root, output.built), { throwIfNoEntry: false })?.mtimeMs;
    // a copy that ships dist/ without the sources of a part runs that part as it is
    const sources = output.from.map((name) => newest(join(root, name)));
    const source = sources.reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a));
    if (built === undefined) {
      if (source.mtimeMs === -Infinity && output.built !== MAIN) continue;
      return `${output.built} is missing`;
    }
    if (source.mtimeMs > built) return `${relative(root, source.path)} is newer than the build`;
  }
  return undefined;
};

// the npm that runs this script (npm start), else the one on the PATH
const npm = () => {
  const cli = process.env.npm_execpath;
  return cli?.endsWith('npm-cli.js') ? [process.execPath, [cli]] : ['npm', []];
};

/** Builds when stale; exits the process when the build fails (tsc has printed why). */
export const buildIfStale = () => {
  const reason = staleReason();
  if (reason === undefined) return false;
  process.stderr.write(`building dist/: ${reason}\n`);
  const [command, prefix] = npm();
  const run = spawnSync(command, [...prefix, 'run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (run.status !== 0) {
    const why = run.error?.code === 'ENOENT' ? 'npm is not on the PATH' : 'the build failed (see above)';
    process.stderr.write(`cannot build dist/: ${why}\n`);
    process.exit(1);
  }
  return true;
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) buildIfStale();
