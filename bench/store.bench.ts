// npm run bench:store [-- --json] [-- --runs N] [-- --no-settle]
// The SQLite event store against raw better-sqlite3 doing the same writes and reads on the same
// table layout with the same durability, in the same run: raw commits with WAL, synchronous=FULL (the
// commit syncs the WAL on the calling thread); the store commits with synchronous=NORMAL and answers
// once its own fdatasync of the WAL, on libuv's thread pool, has returned. Both sides have
// their input made before the clock starts: the raw rows, and the events the store is handed; each
// phase starts on a settled heap (a full garbage collection before its clock).
// Beside the table, the CPU time (user and system) each side spent per event in its measured phase,
// the least of its runs: the figure a busy machine disturbs least, and what the store adds to raw.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { GCProfiler } from 'node:v8';
import Database from 'better-sqlite3';
import { createSqliteEventStore, type SqliteEventStore } from '../src/adapters/eventstore/sqlite/sqliteEventStore';
import { EVENT_LOG_DDL, openDurable } from '../src/adapters/eventstore/sqlite/schema';
import type { EventToAppend } from '../src/app/eventStore';
import { counted, createTestCodec } from '../test/support/events';
import { makeTempDir } from '../test/support/tmp';
import { argNumber, best, paired, report, result, secondsSince, settleHeap, type BenchResult } from './lib/report';

const runs = argNumber('runs', 5);
const WRITERS = 64;
const PER_WRITER = 300;
const SINGLE = 4000;
const BATCHES = 300;
const BATCH = 100;
const NOTE = 'spindle 2 / fixture B / operator shift A / lot L-2026-11-25-0042 / torque 42.5 Nm within limits'.repeat(
  1,
);

const temp = makeTempDir('mes-bench-');
const codec = createTestCodec();
let files = 0;
const freshPath = () => join(temp.dir, `bench-${(files += 1)}.db`);
const openStore = (): SqliteEventStore => createSqliteEventStore({ path: freshPath(), codec });
const event = (n: number): EventToAppend => counted(n, { note: NOTE });

/** Per measure, from its run of least CPU time: microseconds per event (user, system, GC pauses) and transactions. */
type PhaseCost = { user: number; system: number; gc: number; transactions?: number };
const cpuPerEvent = new Map<string, PhaseCost>();
/**
 * A full garbage collection, so that a phase starts from a settled heap: without it a phase paid for the
 * phase before it (the store's, for the raw rows just written, promoted and dead: a mark-compact of up
 * to 60 ms inside its clock) and for promoting its own input made before the clock, while raw, which
 * allocates next to nothing while timed, paid for none. `--no-settle` measures as before.
 */
const settle: () => void = process.argv.includes('--no-settle') ? () => undefined : settleHeap;

/**
 * A phase's clock, started on a settled heap: wall time, CPU time, and its garbage collections
 * (v8.GCProfiler: synchronous phases too).
 */
const clock = () => {
  settle();
  const gc = new GCProfiler();
  gc.start();
  return { wall: process.hrtime.bigint(), cpu: process.cpuUsage(), gc };
};
/**
 * Events per second since `start`, noting the CPU time per event under `name` (with the GC pauses and,
 * for the store, how many transactions its group commit made).
 */
const rateSince = (name: string, start: ReturnType<typeof clock>, events: number, transactions?: number): number => {
  const rate = events / secondsSince(start.wall);
  const { user, system } = process.cpuUsage(start.cpu);
  const collections = start.gc.stop()?.statistics ?? [];
  const least = cpuPerEvent.get(name);
  if (!least || (user + system) / events < least.user + least.system)
    cpuPerEvent.set(name, {
      user: user / events,
      system: system / events,
      gc: collections.reduce((sum, collection) => sum + collection.cost, 0) / events,
      transactions,
    });
  return rate;
};

type RawRow = [string, number, string, string, string, string, string];
/** Rows shaped like the store's: the same sizes of data and metadata, hash fields included. */
const rawRows = (count: number, streams: number): RawRow[] =>
  Array.from({ length: count }, (_, i) => {
    const e = event(i);
    const metadata = { ...e.metadata, schemaVersion: 1, prevHash: 'f'.repeat(64), hash: 'e'.repeat(64) };
    return [
      `raw-${i % streams}`,
      Math.floor(i / streams),
      randomUUID(),
      e.type,
      JSON.stringify(e.data),
      JSON.stringify(metadata),
      new Date().toISOString(),
    ];
  });
const openRaw = () => {
  const db = new Database(freshPath());
  openDurable(db);
  db.exec(EVENT_LOG_DDL);
  const insert = db.prepare(
    'INSERT INTO events (stream_id, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  return { db, insert };
};

const rawTransactions = (rowsPerTransaction: number, total: number): number => {
  const { db, insert } = openRaw();
  const rows = rawRows(total, WRITERS);
  const write = db.transaction((chunk: RawRow[]) => {
    for (const row of chunk) insert.run(...row);
  });
  const start = clock();
  for (let i = 0; i < rows.length; i += rowsPerTransaction) write(rows.slice(i, i + rowsPerTransaction));
  const rate = rateSince(`raw ${rowsPerTransaction}`, start, total);
  db.close();
  return rate;
};

const concurrentAppends = async (): Promise<number> => {
  const store = openStore();
  const events = Array.from({ length: WRITERS }, () => Array.from({ length: PER_WRITER }, (_, i) => event(i)));
  const start = clock();
  await Promise.all(
    events.map(async (own, w) => {
      for (const e of own) await store.append(`bench-${w}`, [e]);
    }),
  );
  const rate = rateSince('concurrent', start, WRITERS * PER_WRITER, store.stats.transactions);
  await store.close();
  return rate;
};

const singleWriter = async (): Promise<number> => {
  const store = openStore();
  const events = Array.from({ length: SINGLE }, (_, i) => event(i));
  const start = clock();
  for (const [i, e] of events.entries()) await store.append(`bench-${i % 50}`, [e]);
  const rate = rateSince('single', start, SINGLE, store.stats.transactions);
  await store.close();
  return rate;
};

const batchAppends = async (): Promise<number> => {
  const store = openStore();
  const batches = Array.from({ length: BATCHES }, () => Array.from({ length: BATCH }, (_, k) => event(k)));
  const start = clock();
  for (const [i, batch] of batches.entries()) await store.append(`bench-${i % 20}`, batch);
  const rate = rateSince('batch', start, BATCHES * BATCH, store.stats.transactions);
  await store.close();
  return rate;
};

const readAllRates = async (): Promise<{ store: number; raw: number }> => {
  const store = openStore();
  for (let i = 0; i < 400; i += 1)
    await store.append(
      `read-${i % 40}`,
      Array.from({ length: 250 }, (_, k) => event(k)),
    );
  const total = 400 * 250;
  const storeRate = await best(runs, async () => {
    const start = clock();
    let after: string | undefined;
    let seen = 0;
    for (;;) {
      const page = await store.readAll({ after, maxCount: 1000 });
      seen += page.events.length;
      after = page.checkpoint;
      if (page.isEnd) break;
    }
    if (seen !== total) throw new Error(`read ${seen} of ${total}`);
    return rateSince('read all', start, seen);
  });
  const select = store.db.prepare<[number], { position: number; data: string; metadata: string }>(
    'SELECT position, stream_id, revision, id, type, data, metadata, recorded_at FROM events WHERE position > ? ORDER BY position LIMIT 1000',
  );
  const rawRate = await best(runs, () => {
    const start = clock();
    let after = 0;
    let seen = 0;
    for (;;) {
      const rows = select.all(after);
      for (const row of rows) {
        JSON.parse(row.data);
        JSON.parse(row.metadata);
      }
      seen += rows.length;
      if (rows.length < 1000) break;
      after = (rows[rows.length - 1] as { position: number }).position;
    }
    return rateSince('raw select', start, seen);
  });
  await store.close();
  return { store: storeRate, raw: rawRate };
};

const main = async (): Promise<void> => {
  const results: BenchResult[] = [];
  results.push(
    result({
      name: `concurrent single-event appends, ${WRITERS} writers (group commit)`,
      ...(await paired(runs, concurrentAppends, () => rawTransactions(WRITERS, WRITERS * PER_WRITER))),
      unit: 'events/s',
      baseline: `raw inserts, ${WRITERS} rows per transaction`,
      minimumRatio: 0.7,
    }),
  );
  results.push(
    result({
      name: 'single-writer durable appends, one event each',
      ...(await paired(runs, singleWriter, () => rawTransactions(1, SINGLE))),
      unit: 'events/s',
      baseline: 'raw single-row durable commits',
      minimumRatio: 0.85,
    }),
  );
  results.push(
    result({
      name: `batch appends, ${BATCH} events each`,
      ...(await paired(runs, batchAppends, () => rawTransactions(BATCH, BATCHES * BATCH))),
      unit: 'events/s',
      baseline: `raw inserts, ${BATCH} rows per transaction`,
      minimumRatio: 0.8,
    }),
  );
  const reads = await readAllRates();
  results.push(
    result({
      name: 'read all, pages of 1000, upcast and decoded',
      value: reads.store,
      unit: 'events/s',
      baseline: 'raw SELECT of the same pages with JSON.parse',
      baselineValue: reads.raw,
      minimumRatio: 0.85,
    }),
  );
  report('Event store benchmark (SQLite embedded, WAL; each append answered once the WAL is synced)', results);
  if (!process.argv.includes('--json')) printCpu();
};

const printCpu = (): void => {
  const phases: Array<[string, string, string]> = [
    ['concurrent appends', 'concurrent', `raw ${WRITERS}`],
    ['single-writer appends', 'single', 'raw 1'],
    [`batch appends (${BATCH})`, 'batch', `raw ${BATCH}`],
    ['read all', 'read all', 'raw select'],
  ];
  const us = (cpu: PhaseCost | undefined) =>
    cpu ? `${cpu.user.toFixed(1)} user + ${cpu.system.toFixed(1)} sys, gc ${cpu.gc.toFixed(1)}` : '-';
  console.log(
    '\nCPU per event, microseconds (the run of least CPU): store | raw | store user - raw user | store transactions',
  );
  console.log(
    '(gc: the cost of garbage collection per event in that run, as v8.GCProfiler reports it, part of its CPU)',
  );
  for (const [label, store, raw] of phases) {
    const a = cpuPerEvent.get(store);
    const b = cpuPerEvent.get(raw);
    const extra = a && b ? (a.user - b.user).toFixed(1) : '-';
    const transactions = a?.transactions === undefined ? '' : ` | ${a.transactions}`;
    console.log(`${label.padEnd(24)} ${us(a).padEnd(32)} | ${us(b).padEnd(32)} | ${extra.padEnd(5)}${transactions}`);
  }
};

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => temp.remove());
