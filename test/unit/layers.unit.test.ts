import { expect } from 'chai';
import { ESLint } from 'eslint';

// The design's import table, as `npm run lint` enforces it: a forbidden import fails, an allowed one passes.
const lint = async (filePath: string, code: string): Promise<string[]> => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
};

describe('folder layers (ESLint no-restricted-imports)', function () {
  this.timeout(60_000);

  const cases: [file: string, imported: string, allowed: boolean][] = [
    ['src/app/commandHandler.ts', '../adapters/erp/b2mml', false],
    ['src/app/commandHandler.ts', '../api/problem', false],
    ['src/app/commandHandler.ts', '../main/config', false],
    ['src/app/commandHandler.ts', '../projections/queries', false],
    ['src/app/commandHandler.ts', '../domain/errors', true],
    ['src/app/commandHandler.ts', '../lib/canonicalJson', true],
    ['src/domain/order/decide.ts', '../../app/eventStore', false],
    ['src/domain/order/decide.ts', '../../lib/canonicalJson', true],
    ['src/lib/retry.ts', '../domain/errors', false],
    ['src/api/traceRoutes.ts', '../adapters/eventstore/hashChain', false],
    ['src/api/traceRoutes.ts', '../projections/queries', true],
    ['src/adapters/integration/outbox.ts', '../../api/problem', false],
    ['src/adapters/integration/outbox.ts', '../eventstore/sqlite/schema', true],
    ['src/projections/runner.ts', '../adapters/readstore/sqliteReadStore', false],
    ['src/simulator/client.ts', '../app/eventStore', false],
    ['src/main/backbone.ts', '../adapters/erp/b2mml', true],
  ];
  for (const [file, imported, allowed] of cases) {
    it(`${file} ${allowed ? 'may' : 'may not'} import ${imported}`, async () => {
      const messages = await lint(file, `import { x } from '${imported}';\nexport const y = x;\n`);
      if (allowed) expect(messages).to.deep.equal([]);
      else expect(messages.join()).to.match(/may import only/);
    });
  }
});
