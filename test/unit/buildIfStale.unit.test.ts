import { expect } from 'chai';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../support/tmp';

import type * as BuildIfStale from '../../scripts/buildIfStale.mjs';

/** A project tree with a build made at second 1000 and every source written at second 900. */
const tree = (dir: string) => {
  const at = (path: string, seconds: number) => utimesSync(join(dir, path), seconds, seconds);
  mkdirSync(join(dir, 'src/main'), { recursive: true });
  mkdirSync(join(dir, 'dist/main'), { recursive: true });
  for (const file of ['src/main/main.ts', 'src/main/config.ts', 'tsconfig.json', 'tsconfig.build.json']) {
    writeFileSync(join(dir, file), '');
    at(file, 900);
  }
  at('src/main', 900);
  at('src', 900);
  writeFileSync(join(dir, 'dist/main/main.js'), '');
  at('dist/main/main.js', 1000);
  return at;
};

describe('npm start: is dist/ stale?', () => {
  // plain JavaScript (it runs before any build), an ES module: loaded as Node 20.19+ requires one
  let staleReason: typeof BuildIfStale.staleReason;
  const temp = makeTempDir('mes-stale-');
  before(async () => ({ staleReason } = await import('../../scripts/buildIfStale.mjs')));
  after(() => temp.remove());

  const fresh = () => {
    const dir = join(temp.dir, String(Math.random()).slice(2));
    mkdirSync(dir);
    return { dir, at: tree(dir) };
  };

  it('is up to date when every source is older than dist/main/main.js', () => {
    expect(staleReason(fresh().dir)).to.equal(undefined);
  });

  it('is stale when dist/main/main.js is missing', () => {
    const { dir } = fresh();
    rmSync(join(dir, 'dist'), { recursive: true });
    expect(staleReason(dir)).to.equal('dist/main/main.js is missing');
  });

  it('names the source changed after the build, however deep', () => {
    const { dir, at } = fresh();
    at('src/main/config.ts', 1001);
    expect(staleReason(dir)).to.equal('src/main/config.ts is newer than the build');
  });

  it('is stale when a source file was deleted or added since (its folder changed)', () => {
    const { dir, at } = fresh();
    rmSync(join(dir, 'src/main/config.ts'));
    at('src/main', 1001);
    expect(staleReason(dir)).to.equal('src/main is newer than the build');
  });

  it('runs a dist/ shipped without its sources as it is', () => {
    const { dir } = fresh();
    rmSync(join(dir, 'src'), { recursive: true });
    rmSync(join(dir, 'tsconfig.json'));
    expect(staleReason(dir)).to.equal(undefined);
  });

  it('is stale when a tsconfig changed', () => {
    const { dir, at } = fresh();
    at('tsconfig.build.json', 1001);
    expect(staleReason(dir)).to.equal('tsconfig.build.json is newer than the build');
  });
});
