// `npm start` runs the compiled dist/, building it first when it is older than src/. These tests share
// the repository's own dist/ and build it at most once (the first test makes it stale on purpose).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { makeTempDir } from '../support/tmp';

const ROOT = resolve(__dirname, '../..');
const DIST_MAIN = resolve(ROOT, 'dist/main/main.js');
const A_SOURCE = resolve(ROOT, 'src/main/main.ts');

const scripts = (JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;

type Started = { port: number; stderr: () => string; stop: () => Promise<number | null> };

/** Runs `npm start`'s command line (without npm in between) and waits for the backbone's startup line. */
const npmStart = async (dataDir: string, extraArgs: string[] = []): Promise<Started> => {
  const [program, ...args] = (scripts['start'] ?? '').split(' ');
  expect(program).to.equal('node');
  const child = spawn(process.execPath, [...args, ...extraArgs], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const port = await new Promise<number>((resolvePort, reject) => {
    // a build on a busy machine takes its time: tsc over src/ is about 5 s on 2 idle cores
    const timer = setTimeout(() => reject(new Error(`no startup line in 90 s: ${stderr}`)), 90_000);
    void exited.then((code) => reject(new Error(`npm start exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = /^\{/.test(line) ? (JSON.parse(line) as { msg?: string; port?: number }) : {};
      if (entry.msg === 'backbone started' && typeof entry.port === 'number') {
        clearTimeout(timer);
        resolvePort(entry.port);
      }
    });
  });
  return {
    port,
    stderr: () => stderr,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
};

const health = async (port: number): Promise<number> => (await fetch(`http://127.0.0.1:${port}/health`)).status;

describe('npm start (compiled dist/, built when stale)', function () {
  this.timeout(180_000);
  const temp = makeTempDir('mes-start-');
  after(() => temp.remove());

  it('builds dist/ when a source is newer (or dist/ missing), then serves /health from it', async () => {
    const touched = new Date();
    utimesSync(A_SOURCE, touched, touched);
    const backbone = await npmStart(temp.dir);
    expect(await health(backbone.port)).to.equal(200);
    // on a fresh clone dist/ is missing altogether; either way this start builds it
    expect(backbone.stderr()).to.match(
      /building dist\/: (src\/main\/main\.ts is newer than the build|dist\/main\/main\.js is missing)/,
    );
    expect(backbone.stderr()).to.include('starting dist/main/main.js (just built)');
    expect(statSync(DIST_MAIN).mtimeMs).to.be.greaterThan(touched.getTime());
    expect(await backbone.stop()).to.equal(0);
  });

  it('runs the compiled file as it stands when nothing changed, without building', async () => {
    const compiled = readFileSync(DIST_MAIN, 'utf8');
    // a line only dist/ has: seen on stderr only if dist/main/main.js is what runs
    writeFileSync(DIST_MAIN, `${compiled}\nprocess.stderr.write('compiled main.js ran\\n');\n`);
    const before = statSync(DIST_MAIN).mtimeMs;
    try {
      const backbone = await npmStart(temp.dir);
      expect(await health(backbone.port)).to.equal(200);
      expect(backbone.stderr()).to.include('compiled main.js ran');
      expect(backbone.stderr()).to.not.include('building');
      expect(statSync(DIST_MAIN).mtimeMs).to.equal(before);
      expect(await backbone.stop()).to.equal(0);
    } finally {
      writeFileSync(DIST_MAIN, compiled);
    }
  });

  it("passes its arguments to the backbone (npm run demo's --demo and options)", async () => {
    expect(scripts['demo']).to.equal(`${scripts['start']} --demo`);
    const child = spawn(process.execPath, ['scripts/start.mjs', '--demo', '--machines', 'nope'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: temp.dir, PORT: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    expect(code).to.equal(1);
    expect(stderr).to.include('/argv/machines');
  });
});
