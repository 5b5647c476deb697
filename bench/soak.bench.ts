// npm run bench:soak [-- --json] [-- --minutes N] [-- --events N] [-- --sse N] [-- --max-old-space-size MB]
//   [-- --node-args "FLAGS"] (diagnostics: Node flags for the backbone, e.g. "--cpu-prof --cpu-prof-dir=DIR")
// Endurance: a started backbone over a generated plant takes mixed commands and queries at half the
// command rate it was measured at (same run), with SSE clients following /api/events/stream, for 10
// minutes. Its resident memory and event-loop delay are read from /metrics every few seconds
// (process_resident_memory_bytes; nodejs_eventloop_lag_max_seconds, perf_hooks.monitorEventLoopDelay's
// maximum since the previous scrape). Must hold: RSS within 10 % of its level after the first minute
// and under 300 MB; no event-loop delay above 100 ms.
import { client, makeKeys } from '../test/support/apiClient';
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { COMPILED, startBackboneProcess } from '../test/support/backboneProcess';
import { makeTempDir } from '../test/support/tmp';
import {
  buildServer,
  commandSource,
  load,
  metric,
  preparePlant,
  projectionsCaughtUp,
  querySource,
  seedRunningOperations,
  type Request,
} from './lib/apiLoad';
import { argNumber, report, result } from './lib/report';

const MINUTES = argNumber('minutes', 10);
const EVENTS = argNumber('events', 100_000);
const SSE_CLIENTS = argNumber('sse', 4);
/** `--max-old-space-size N`: V8's old-generation limit for the backbone (MB), to compare with its default. */
const HEAP_LIMIT_MB = argNumber('max-old-space-size', 0);
/** `--node-args "FLAGS"`: Node flags put before the backbone's script (profiles, GC traces), diagnostics only. */
const NODE_ARGS = ((i) => (i >= 0 ? (process.argv[i + 1] ?? '').split(' ').filter(Boolean) : []))(
  process.argv.indexOf('--node-args'),
);
const SAMPLE_MS = 5_000;
const MB = 2 ** 20;
const quiet = process.argv.includes('--json');
const say = (text: string) => !quiet && process.stderr.write(text);

type Sample = {
  seconds: number;
  rssBytes: number;
  heapBytes: number;
  heapTotalBytes: number;
  /** V8's new space (the young generation: its semi-spaces grow with the allocation rate) and old space, total. */
  newSpaceBytes: number;
  oldSpaceBytes: number;
  externalBytes: number;
  loopDelayMaxMs: number;
  /** The backbone's CPU time so far (user and system), to judge a change by CPU per request on a busy machine. */
  cpuSeconds: number;
};

/**
 * What RSS holds beside V8's heap and its external memory: the binary's and libraries' resident pages,
 * SQLite's page caches, other threads' stacks and heaps, malloc's free lists.
 */
const nativeBytes = (s: Sample): number => s.rssBytes - s.heapTotalBytes - s.externalBytes;

/** Reads /metrics every SAMPLE_MS until stopped; each scrape restarts the event-loop delay's histogram. */
const sampler = (baseUrl: string) => {
  const samples: Sample[] = [];
  const started = Date.now();
  const scrape = async (): Promise<Sample> => {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    return {
      seconds: (Date.now() - started) / 1000,
      rssBytes: metric(text, 'process_resident_memory_bytes'),
      heapBytes: metric(text, 'nodejs_heap_size_used_bytes'),
      heapTotalBytes: metric(text, 'nodejs_heap_size_total_bytes'),
      newSpaceBytes: metric(text, 'nodejs_heap_space_size_total_bytes', 'space="new"'),
      oldSpaceBytes: metric(text, 'nodejs_heap_space_size_total_bytes', 'space="old"'),
      externalBytes: metric(text, 'nodejs_external_memory_bytes'),
      loopDelayMaxMs: metric(text, 'nodejs_eventloop_lag_max_seconds') * 1000,
      cpuSeconds: metric(text, 'process_cpu_seconds_total'),
    };
  };
  let timer: NodeJS.Timeout | undefined;
  let last: Promise<unknown> = Promise.resolve();
  let first: Sample | undefined;
  return {
    samples,
    /** The backbone's CPU seconds from the start of sampling to its last sample. */
    cpuSeconds: () => (samples[samples.length - 1]?.cpuSeconds ?? 0) - (first?.cpuSeconds ?? 0),
    /** Starts sampling; the first scrape only resets the histogram (what came before the soak is not counted). */
    async start(): Promise<void> {
      first = await scrape();
      timer = setInterval(() => {
        last = scrape().then((s) => {
          samples.push(s);
          say(
            `${s.seconds.toFixed(0).padStart(5)} s  RSS ${(s.rssBytes / MB).toFixed(1)} MB  heap used ${(s.heapBytes / MB).toFixed(1)} of ${(s.heapTotalBytes / MB).toFixed(1)} MB (new ${(s.newSpaceBytes / MB).toFixed(1)}, old ${(s.oldSpaceBytes / MB).toFixed(1)})  external ${(s.externalBytes / MB).toFixed(1)} MB  rest ${(nativeBytes(s) / MB).toFixed(1)} MB  loop delay max ${s.loopDelayMaxMs.toFixed(1)} ms\n`,
          );
        });
      }, SAMPLE_MS);
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await last;
      samples.push(await scrape());
    },
  };
};

/**
 * An idle Node process's event-loop delay, measured as the backbone's is: what the machine alone (its other
 * processes, the scheduler) adds. Answers the highest seen until stopped.
 */
const idleProcessDelay = () => {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const h = require('node:perf_hooks').monitorEventLoopDelay({ resolution: 10 }); h.enable();
       process.on('message', () => process.send(h.max / 1e6, () => process.exit(0)));`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  return {
    stop: () =>
      new Promise<number>((done, fail) => {
        child.once('message', (ms) => done(Number(ms)));
        child.once('error', fail);
        child.send('stop');
      }),
  };
};

/** An SSE client reading /api/events/stream as it comes; it counts the events it received. */
const sseClient = (baseUrl: string, token: string) => {
  const abort = new AbortController();
  let events = 0;
  let endedEarly: string | undefined;
  const reading = (async () => {
    try {
      const response = await fetch(`${baseUrl}/api/events/stream`, {
        headers: { authorization: `Bearer ${token}` },
        signal: abort.signal,
      });
      if (!response.ok || !response.body) throw new Error(`the stream answered ${response.status}`);
      const decoder = new TextDecoder();
      let partial = '';
      for await (const chunk of response.body) {
        const lines = (partial + decoder.decode(chunk as Uint8Array, { stream: true })).split('\n');
        partial = lines.pop() ?? '';
        events += lines.filter((line) => line.startsWith('data:')).length;
      }
      endedEarly = 'the stream ended';
    } catch (error) {
      if (!abort.signal.aborted) endedEarly = String(error);
    }
  })();
  return {
    events: () => events,
    async stop(): Promise<string | undefined> {
      abort.abort();
      await reading;
      return endedEarly;
    },
  };
};

const main = async (): Promise<void> => {
  const temp = makeTempDir('mes-bench-soak-');
  say(`generating a plant of ${EVENTS.toLocaleString('en-US')} events and its read models...\n`);
  const { total, orders } = await preparePlant(temp.dir, EVENTS);
  buildServer(say);
  const keys = makeKeys(temp.dir);
  const backbone = await startBackboneProcess(
    {
      DATA_DIR: temp.dir,
      API_KEYS_FILE: keys.file,
      LOG_LEVEL: 'warn',
      ...(HEAP_LIMIT_MB ? { NODE_OPTIONS: `--max-old-space-size=${HEAP_LIMIT_MB}` } : {}),
    },
    120_000,
    [...NODE_ARGS, ...COMPILED],
  );
  try {
    const api = client(backbone.baseUrl, keys.tokens);
    await seedRunningOperations(api);
    const command = commandSource();
    const query = querySource(orders);
    say('command rate (warm-up, then measured)...\n');
    await load(backbone.baseUrl, keys.tokens.all, command, 3);
    const measured = await load(backbone.baseUrl, keys.tokens.all, command, 5);
    await projectionsCaughtUp(api);
    const rate = measured.rate / 2;
    say(`${measured.rate.toFixed(0)} commands/s measured; soak at ${rate.toFixed(0)} requests/s for ${MINUTES} min\n`);

    const sse = Array.from({ length: SSE_CLIENTS }, () => sseClient(backbone.baseUrl, keys.tokens.all));
    const metrics = sampler(backbone.baseUrl);
    await metrics.start();
    const idle = idleProcessDelay();
    // half commands, half queries, each connection's commands in order (its machine's times move forward)
    let turn = 0;
    const mixed = (connection: number): Request => ((turn += 1) % 2 === 0 ? command(connection) : query());
    const soak = await load(backbone.baseUrl, keys.tokens.all, mixed, MINUTES * 60, rate);
    await metrics.stop();
    const idleDelayMax = await idle.stop();
    const sseEvents = sse.map((c) => c.events());
    const sseEnded = (await Promise.all(sse.map((c) => c.stop()))).filter((reason) => reason !== undefined);

    // RSS rises and falls with each garbage collection: a level is the mean of a minute's samples, the
    // minute after the first (warm-up) beside the last (half the run each when it is shorter, while developing)
    const { samples } = metrics;
    const runSeconds = MINUTES * 60;
    const settledAt = Math.min(60, runSeconds / 2);
    const window = Math.min(60, runSeconds - settledAt);
    const mean = (from: number, to: number, of: (s: Sample) => number = (s) => s.rssBytes): number => {
      const inside = samples.filter((s) => s.seconds >= from && s.seconds < to).map(of);
      if (inside.length === 0) throw new Error(`no RSS sample between ${from} s and ${to} s`);
      return inside.reduce((a, b) => a + b, 0) / inside.length;
    };
    const settled = mean(settledAt, settledAt + window);
    const end = mean(runSeconds - window, Number.POSITIVE_INFINITY);
    // where the RSS went between the two levels: V8's heap (used, and what it reserved), external, the rest
    const parts: Array<[string, (s: Sample) => number]> = [
      ['heap used', (s) => s.heapBytes],
      ['heap total', (s) => s.heapTotalBytes],
      ['of it new space', (s) => s.newSpaceBytes],
      ['old space', (s) => s.oldSpaceBytes],
      ['external', (s) => s.externalBytes],
      ['rest (native)', nativeBytes],
    ];
    say(
      `from the settled level to the end (means of ${window} s): ${parts
        .map(([name, of]) => {
          const [from, to] = [
            mean(settledAt, settledAt + window, of) / MB,
            mean(runSeconds - window, Infinity, of) / MB,
          ];
          return `${name} ${from.toFixed(1)} -> ${to.toFixed(1)} MB`;
        })
        .join(', ')}\n`,
    );
    const rssMax = Math.max(...samples.filter((s) => s.seconds >= settledAt).map((s) => s.rssBytes));
    const loopDelayMax = Math.max(...samples.map((s) => s.loopDelayMaxMs));
    const loadAverage = loadavg()[0] ?? 0;
    // an RSS figure beside the settled level: within 10 % of it and under 300 MB
    const rssRow = (name: string, bytes: number) =>
      result({
        name,
        value: bytes / MB,
        unit: 'MB',
        baseline: `RSS after the first ${settledAt} s (mean of the next ${window} s)`,
        baselineValue: settled / MB,
        maximumRatio: 1.1,
        maximumValue: 300,
      });

    const requests = soak.rate * MINUTES * 60;
    say(
      `backbone CPU during the soak: ${metrics.cpuSeconds().toFixed(1)} s, ${((metrics.cpuSeconds() * 1000) / requests).toFixed(3)} ms per 2xx request\n`,
    );
    say(
      `${soak.outOfOrder} command(s) refused as out of order (409, as designed); SSE clients received ${sseEvents.join(', ')} events\n`,
    );
    const failures = soak.errors + soak.non2xx;
    if (failures > 0 || sseEnded.length > 0 || sseEvents.some((n) => n === 0)) {
      console.error(
        `${soak.non2xx} answers were not 2xx, ${soak.errors} errors, SSE: ${sseEnded.join('; ') || 'none ended'}, ${sseEvents.filter((n) => n === 0).length} received nothing: the run does not count`,
      );
      process.exitCode = 1;
    }
    report(
      `Soak: ${MINUTES} min of commands and queries at half the measured command rate, ${SSE_CLIENTS} SSE clients, over ${total.toLocaleString('en-US')} events (load average ${loadAverage.toFixed(1)} at the end)`,
      [
        result({
          name: 'requests/s during the soak (half commands, half queries)',
          value: soak.rate,
          unit: 'req/s',
          baseline: 'half the commands/s measured before',
          baselineValue: rate,
          minimumRatio: 0.9,
        }),
        rssRow(`RSS at the end (mean of the last ${window} s)`, end),
        rssRow(`RSS highest after the first ${settledAt} s (one sample)`, rssMax),
        result({
          name: `event-loop delay, highest (${samples.length} samples of ${SAMPLE_MS / 1000} s)`,
          value: loopDelayMax,
          unit: 'ms',
          baseline: 'an idle Node process, same time',
          baselineValue: idleDelayMax,
          maximumValue: 100,
        }),
        result({
          name: 'SSE events received per client (least)',
          value: Math.min(...sseEvents),
          unit: 'events',
          baseline: 'most',
          baselineValue: Math.max(...sseEvents),
        }),
      ],
    );
  } finally {
    await backbone.stop();
    temp.remove();
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
