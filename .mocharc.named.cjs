// Shared by the mocha configurations: files named on the command line (`npx mocha --config
// .mocharc.browser.cjs test/browser/x.browser.test.ts`) run alone; a config `spec` would otherwise be
// added to them and run the whole suite.
module.exports = process.argv
  .slice(2)
  .some((arg, i, args) => /\.ts$/.test(arg) && !/^(-r|--require|--file)$/.test(args[i - 1] ?? ''));
