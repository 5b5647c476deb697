// npm run bench:api [-- --json] [-- --events N] [-- --seconds S]
// Commands/s and queries/s with p50/p99 over HTTP against a started process whose store holds a
// generated plant of 1,000,000 events, beside raw store appends and raw read-store gets in the same run.
// Minimums on 2 cores: 2,000 commands/s with p99 <= 50 ms; 5,000 queries/s with p99 <= 20 ms.
import { join } from 'node:path';
import { createSqliteEventStore } from '../src/adapters/eventstore/sqlite/sqliteEventStore';
import { client, makeKeys } from '../test/support/apiClient';
import { startBackboneProcess } from '../test/support/backboneProcess';
import { counted, createTestCodec } from '../test/support/events';
import { makeTempDir } from '../test/support/tmp';
import {
  commandSource,
  load,
  preparePlant,
  projectionsCaughtUp,
  querySource,
  seedRunningOperations,
} from './lib/apiLoad';
import { argNumber, report, result, secondsSince } from './lib/report';

const EVENTS = argNumber('events', 1_000_000);
const SECONDS = argNumber('seconds', 10);
const quiet = process.argv.includes('--json');
const say = (text: string) => !quiet && process.stderr.write(text);

const rawAppends = async (dir: string): Promise<number> => {
  const store = createSqliteEventStore({ path: join(dir, 'raw.db'), codec: createTestCodec() });
  const started = process.hrtime.bigint();
  let written = 0;
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: 64 }, async (_, w) => {
      while (Date.now() < until) {
        await store.append(`raw-${w}`, [counted(written)]);
        written += 1;
      }
    }),
  );
  const rate = written / secondsSince(started);
  await store.close();
  return rate;
};

const main = async (): Promise<void> => {
  const temp = makeTempDir('mes-bench-api-');
  say(`generating a plant of ${EVENTS.toLocaleString('en-US')} events and its read models...\n`);
  const { total, orders, rawGets } = await preparePlant(temp.dir, EVENTS);

  const keys = makeKeys(temp.dir);
  const backbone = await startBackboneProcess(
    { DATA_DIR: temp.dir, API_KEYS_FILE: keys.file, LOG_LEVEL: 'warn' },
    120_000,
  );
  const api = client(backbone.baseUrl, keys.tokens);
  say('seeding running operations...\n');
  await seedRunningOperations(api);
  const command = commandSource();
  const query = querySource(orders);
  // each phase starts with an unmeasured warm-up: a cold process compiles its routes first
  say('commands (warm-up, then measured)...\n');
  await load(backbone.baseUrl, keys.tokens.all, command, 3);
  const commands = await load(backbone.baseUrl, keys.tokens.all, command, SECONDS);
  // queries are measured over caught-up read models, not while projections apply the commands above
  await projectionsCaughtUp(api);
  say('queries (warm-up, then measured)...\n');
  await load(backbone.baseUrl, keys.tokens.all, query, 3);
  const queries = await load(backbone.baseUrl, keys.tokens.all, query, SECONDS);
  await backbone.stop();
  say('raw appends...\n');
  const raw = await rawAppends(temp.dir);
  say(`${commands.outOfOrder} command(s) refused as out of order (409, as designed), not counted\n`);
  const failures = commands.errors + commands.non2xx + queries.errors + queries.non2xx;
  if (failures > 0) {
    console.error(
      `${commands.non2xx} command and ${queries.non2xx} query answers were not 2xx, ${commands.errors + queries.errors} errors: the run does not count`,
    );
    process.exitCode = 1;
  }
  report(`API benchmark over ${total.toLocaleString('en-US')} events (32 connections, ${SECONDS} s each)`, [
    result({
      name: 'commands/s (energy, reports, state changes, new orders)',
      value: commands.rate,
      unit: 'req/s',
      baseline: 'raw store appends, 64 writers, in process',
      baselineValue: raw,
      minimumValue: 2000,
    }),
    result({
      name: 'command latency p50',
      value: commands.p50,
      unit: 'ms',
      baseline: 'p99',
      baselineValue: commands.p99,
    }),
    result({
      name: 'command latency p99',
      value: commands.p99,
      unit: 'ms',
      baseline: 'p50',
      baselineValue: commands.p50,
      maximumValue: 50,
    }),
    result({
      name: 'queries/s (WIP, carbon, dispatch, OEE, Pareto, genealogy)',
      value: queries.rate,
      unit: 'req/s',
      baseline: 'raw read-store gets, in process',
      baselineValue: rawGets,
      minimumValue: 5000,
    }),
    result({ name: 'query latency p50', value: queries.p50, unit: 'ms', baseline: 'p99', baselineValue: queries.p99 }),
    result({
      name: 'query latency p99',
      value: queries.p99,
      unit: 'ms',
      baseline: 'p50',
      baselineValue: queries.p50,
      maximumValue: 20,
    }),
  ]);
  temp.remove();
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
