// `npm start` and `npm run demo`: build dist/ when stale, then run the compiled backbone in this same
// process (no child to relay signals to; SIGTERM reaches the backbone's own handler).
import process from 'node:process';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, SERVER_MAIN, buildIfStale } from './buildIfStale.mjs';

const built = buildIfStale();
process.stderr.write(`starting ${relative(ROOT, SERVER_MAIN)}${built ? ' (just built)' : ''}\n`);
// main.js reads its options from process.argv.slice(2), which are this script's own arguments
process.argv[1] = SERVER_MAIN;
await import(pathToFileURL(SERVER_MAIN).href);
