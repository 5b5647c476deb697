// Preloaded (NODE_OPTIONS=-r) into a process to profile (Node 20 refuses --cpu-prof in NODE_OPTIONS).
// SIGUSR2 starts the profiler; the next SIGUSR2 (or the exit) stops it and writes
// <CPU_PROFILE_DIR>/<pid>-<n>.cpuprofile, so a profile covers a measured phase alone.
// Summarise one with bench/lib/cpuProfile.ts.
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const session = new Session();
session.connect();
session.post('Profiler.enable');
let running = false;
let written = 0;
// a session of the same thread answers synchronously, so the profile is written before an exit
const stop = () => {
  running = false;
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    written += 1;
    writeFileSync(
      join(process.env.CPU_PROFILE_DIR, `${process.pid}-${written}.cpuprofile`),
      JSON.stringify(result.profile),
    );
  });
};
process.on('SIGUSR2', () => {
  if (running) return stop();
  running = true;
  session.post('Profiler.start');
});
process.on('exit', () => running && stop());
