// The reliability suite (`npm run test:reliability`): fuzz, kills and restarts, figures printed at the end.
const named = require('./.mocharc.named.cjs');

module.exports = {
  require: ['ts-node/register/transpile-only', 'test/support/hooks.ts', 'test/reliability/figures.ts'],
  extension: ['ts'],
  ...(named ? {} : { spec: ['test/reliability/**/*.reliability.ts'] }),
  timeout: 900000,
  reporter: 'test/support/reporter.ts',
};
