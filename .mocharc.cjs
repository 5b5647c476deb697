// The default suite (`npm test`, `npx mocha`): every test but the browser and reliability suites.
// Files named on the command line (`npx mocha test/unit/x.unit.test.ts`) run alone.
const named = require('./.mocharc.named.cjs');

module.exports = {
  require: ['ts-node/register/transpile-only', 'test/support/hooks.ts'],
  extension: ['ts'],
  ...(named ? {} : { spec: ['test/**/*.test.ts'], ignore: ['test/browser/**'] }),
  timeout: 20000,
  reporter: 'test/support/reporter.ts',
};
