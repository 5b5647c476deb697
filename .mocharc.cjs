// The default suite (`npm test`, `npx mocha`): every test but the browser and reliability suites.
// Files named on the command line (`npx mocha test/unit/x.unit.test.ts`) run alone: a config `spec`
// would otherwise be added to them and run the whole suite.
const named = process.argv
  .slice(2)
  .some((arg, i, args) => /\.ts$/.test(arg) && !/^(-r|--require|--file)$/.test(args[i - 1] ?? ''));

module.exports = {
  require: ['ts-node/register/transpile-only', 'test/support/hooks.ts'],
  extension: ['ts'],
  ...(named ? {} : { spec: ['test/**/*.test.ts'], ignore: ['test/browser/**'] }),
  timeout: 20000,
  reporter: 'test/support/reporter.ts',
};
