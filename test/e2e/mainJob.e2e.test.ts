import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startBackboneProcess } from '../support/backboneProcess';
import { makeTempDir } from '../support/tmp';

describe('the main job (npm start)', function () {
  this.timeout(60_000);
  const temp = makeTempDir('mes-main-');
  after(() => temp.remove());

  it('starts on the embedded default with one SQLite file, answers health and readiness, and stops cleanly', async () => {
    const backbone = await startBackboneProcess({ DATA_DIR: temp.dir });
    const health = await fetch(`${backbone.baseUrl}/health`);
    expect(health.status).to.equal(200);
    const ready = (await (await fetch(`${backbone.baseUrl}/ready`)).json()) as { eventStore: { kind: string } };
    expect(ready.eventStore.kind).to.equal('sqlite');
    expect(existsSync(join(temp.dir, 'events.db'))).to.equal(true);
    const missing = await fetch(`${backbone.baseUrl}/no/such/route`);
    expect(missing.status).to.equal(404);
    expect(missing.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(await backbone.stop('SIGTERM')).to.equal(0);
    expect(backbone.logs.map((l) => l['msg'])).to.include('backbone stopped');
  });

  it('refuses a bad configuration at start, naming the variable', () => {
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      env: { ...process.env, PORT: 'eighty', DATA_DIR: temp.dir },
      encoding: 'utf8',
    });
    expect(run.status).to.equal(1);
    expect(run.stderr).to.match(/cannot start: configuration is invalid: \/env\/PORT/);
  });
});
