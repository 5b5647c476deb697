import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeTempDir } from '../support/tmp';

const MAIN = resolve(__dirname, '../../src/main/main.ts');

/** Runs src/main/main.ts as `npm start` does, to its exit. */
const run = (env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> =>
  new Promise((done, fail) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', MAIN], {
      env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // a start that goes on listening is the failure this test looks for: it must not outlive the test
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`the backbone did not stop: ${stdout}${stderr}`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done({ code, stderr, stdout });
    });
  });

describe('a configuration refused at start (a started process)', function () {
  this.timeout(90_000);

  it('refuses PORT=99999 with a clear message and a non-zero exit before the data folder, databases or keys exist', async () => {
    const temp = makeTempDir('mes-config-e2e-');
    try {
      const dataDir = join(temp.dir, 'data');
      const { code, stderr } = await run({ PORT: '99999', DATA_DIR: dataDir });
      expect(code).to.equal(1);
      expect(stderr).to.match(/^cannot start: configuration is invalid: \/env\/PORT 99999 is not a port number/);
      expect(stderr, 'no stack trace').to.not.match(/\n\s+at /);
      expect(existsSync(dataDir), 'nothing written').to.equal(false);
      expect(readdirSync(temp.dir)).to.deep.equal([]);
    } finally {
      temp.remove();
    }
  });
});
