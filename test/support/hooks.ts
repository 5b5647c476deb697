// Root hooks: an unhandled rejection anywhere fails the run instead of passing unnoticed.
process.on('unhandledRejection', (reason) => {
  throw reason;
});
