import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { dockerfileInvariants, envValue, parseDockerfile } from '../support/dockerfile';

const ROOT = resolve(__dirname, '../..');
const read = (name: string) => readFileSync(resolve(ROOT, name), 'utf8');

// The Dockerfile as it was before the production build: one stage on node:20 running ts-node.
const SINGLE_STAGE_TS_NODE = `
FROM node:20-bookworm-slim
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 make g++ \\
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY src ./src
ENV NODE_ENV=production DATA_DIR=/data PORT=3000
VOLUME /data
EXPOSE 3000
USER node
CMD ["node", "-r", "ts-node/register/transpile-only", "src/main.ts"]
`;

describe('Dockerfile (read as a file: no Docker engine runs in CI)', () => {
  const stages = parseDockerfile(read('Dockerfile'));

  for (const [invariant, check] of Object.entries(dockerfileInvariants)) {
    it(invariant, () => expect(check(stages)).to.equal(undefined));
  }

  it('the checks refuse the single-stage ts-node image of before, each for its own reason', () => {
    const before = parseDockerfile(SINGLE_STAGE_TS_NODE);
    const broken = Object.entries(dockerfileInvariants).filter(([, check]) => check(before) !== undefined);
    expect(broken.map(([name]) => name)).to.deep.equal(
      Object.keys(dockerfileInvariants).filter((name) => name !== 'runs as a user that is not root'),
    );
  });

  it('runs the file npm run build makes of src/main/main.ts, with schemas/ where dist/app/ looks for them', () => {
    const build = JSON.parse(read('tsconfig.build.json')) as { compilerOptions: { rootDir: string; outDir: string } };
    const { rootDir, outDir } = build.compilerOptions;
    const cmd =
      stages
        .at(-1)
        ?.instructions.filter((i) => i.keyword === 'CMD')
        .at(-1)?.args ?? '[]';
    const script = (JSON.parse(cmd) as string[])[1] ?? '';
    expect(script.startsWith(`${outDir}/`), script).to.equal(true);
    expect(existsSync(resolve(ROOT, rootDir, script.slice(outDir.length + 1).replace(/\.js$/, '.ts')))).to.equal(true);
    // DEFAULT_SCHEMA_ROOT is resolve(__dirname, '../../schemas'): from dist/app/ that is ./schemas
    const copies = stages
      .at(-1)
      ?.instructions.filter((i) => i.keyword === 'COPY')
      .map((i) => i.args.split(/\s+/).at(-1));
    expect(copies).to.include.members([`./${outDir}`, './schemas']);
  });

  it('leaves node_modules, dist, data and .git out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).to.include.members(['node_modules', 'dist', 'data', '.git']);
  });
});

describe('docker-compose.yml backbone service', () => {
  const compose = read('docker-compose.yml');
  // the service block: from its key to the next key at the same indentation or less
  const block = /^ {2}backbone:\n((?: {4,}.*\n|\s*\n)+)/m.exec(compose)?.[1] ?? '';
  const dataDir = envValue(
    parseDockerfile(read('Dockerfile')).at(-1) ?? { image: '', name: '', instructions: [] },
    'DATA_DIR',
  );

  it('is built from this Dockerfile and keeps its command', () => {
    expect(block).to.match(/^ {4}build: \.$/m);
    expect(block).to.not.match(/^ {4}(command|entrypoint):/m);
    expect(block).to.not.include('ts-node');
  });

  it("mounts a named volume on the image's DATA_DIR and publishes its port", () => {
    expect(dataDir).to.equal('/data');
    expect(block).to.match(new RegExp(`^ {6}- [\\w-]+:${dataDir}$`, 'm'));
    expect(block).to.match(/^ {6}- '3000:3000'$/m);
    expect(block).to.not.match(/^ {6}DATA_DIR:/m);
  });
});
