// The browser suite (`npm run test:browser`): one web build, one backbone, one Chromium for all files.
const named = require('./.mocharc.named.cjs');

module.exports = {
  require: ['ts-node/register/transpile-only', 'test/support/hooks.ts', 'test/browser/fixture.ts'],
  extension: ['ts'],
  ...(named ? {} : { spec: ['test/browser/**/*.browser.test.ts'] }),
  timeout: 60000,
  reporter: 'test/support/reporter.ts',
};
