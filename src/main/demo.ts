import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'nats';
import { natsConnectionOptions } from './natsConnection';
import type { ConfigDemo } from '../domain/generated';
import { startBackbone } from './backbone';
import type { Config } from './config';
import type { Logger } from '../lib/logger';
import type { SchemaRegistry } from '../app/schemaRegistry';
import { ValidationError } from '../domain/errors';
import { logInPlant } from '../simulator/logins';
import { DEMO_CREDENTIALS, setUpDemoPlant } from './demoPlant';
import { runIdOf, runPlantSimulation } from '../simulator/plantSimulator';
import { MINUTE } from '../simulator/catalog';
import { progressBar } from '../simulator/progress';
import { createSimClock } from '../simulator/simClock';
import { formatSummary, readSummary } from '../simulator/summary';

export type DemoOptions = Required<ConfigDemo>;

/** Simulated time the set-up (people, master data) may take before the run. */
const SET_UP_MS = 30 * 60_000;

/** The demo's logger, and the file it writes to (named in the banner). */
export type DemoLog = { logger: Logger; logFile: string };

/** `--name value` flags after `--demo`, validated against schemas/config/demo.json. */
export const parseDemoArgs = (argv: string[], schemas: SchemaRegistry): DemoOptions => {
  const given: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i] as string;
    if (flag === '--demo') continue;
    if (!flag.startsWith('--'))
      throw new ValidationError(`unexpected argument ${flag}`, [{ path: '/argv', message: `${flag} is not a --flag` }]);
    const name = flag.slice(2);
    if (name === 'exit' || name === 'past' || name === 'opcua') {
      given[name] = true;
      continue;
    }
    const value = argv[(i += 1)];
    given[name] = value !== undefined && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  const options = schemas.parse('config/demo', given, 'demo options', '/argv');
  return {
    machines: 6,
    orders: 30,
    hours: 24,
    seconds: 60,
    'defect-rate': 0.15,
    'mtbf-hours': 6,
    'mttr-hours': 0.4,
    'late-maintenance': 0.4,
    seed: 1,
    exit: false,
    past: false,
    opcua: false,
    ...options,
  };
};

/**
 * The demo: the backbone on an accelerated clock (a plant day in a minute by default) and a plant
 * simulator driving it through its HTTP API (and NATS device subjects when NATS_URL is set), then a
 * summary read back from the API. Simulated time starts where the last demo in this data folder ended
 * (or now), so a second demo continues the first one's plant rather than going back in time.
 */
export const runDemo = async (
  config: Config,
  schemas: SchemaRegistry,
  { logger, logFile }: DemoLog,
  argv: string[],
) => {
  const options = parseDemoArgs(argv, schemas);
  const marker = join(config.dataDir, 'demo-clock.json');
  const factor = (options.hours * 3600) / options.seconds;
  const previous = existsSync(marker)
    ? Date.parse((JSON.parse(readFileSync(marker, 'utf8')) as { simulatedUntil: string }).simulatedUntil)
    : 0;
  // --past: the plant's last hours, ending about now (never before a previous demo's end)
  const start = options.past ? Date.now() - options.hours * 3_600_000 - SET_UP_MS : Date.now();
  const from = Math.max(start, previous + 60_000);
  // the set-up (people, master data) may take up to half a simulated hour; then the run sets the pace
  const clock = createSimClock(new Date(from), factor, from + SET_UP_MS);
  // the run's machines are named after its planned start; with --opcua the first one has its own OPC UA server
  const runId = runIdOf(Math.ceil(from / MINUTE) * MINUTE);
  // (node-opcua is loaded only then)
  const demoOpcua = options.opcua ? await import('./demoOpcua') : undefined;
  const opcua = demoOpcua ? await demoOpcua.startDemoOpcuaMachine(`${runId}-M1`) : undefined;
  const backbone = await startBackbone(
    opcua ? { ...config, opcua: [...config.opcua, opcua.config] } : config,
    schemas,
    logger,
    {
      clock: () => clock.now(),
      // the overdue clock looks about every simulated 10 minutes
      overdueIntervalMs: Math.max(100, Math.min(60_000, (600_000 / factor) | 0)),
    },
  );
  const baseUrl = `http://127.0.0.1:${backbone.port}`;
  // the plant's people log in as people, operators with badge and PIN on their own PDA, integrations with their keys
  const api = await logInPlant(baseUrl, await setUpDemoPlant(backbone.security, options.machines, config.dataDir));
  // the OPC UA machine's totals are seen (its baseline) before it makes a part
  await backbone.opcua?.ready();
  const nc = config.natsUrl
    ? await connect(natsConnectionOptions(config.natsUrl, config.natsAuth, 'mes-simulator', logger))
    : undefined;
  process.stderr.write(
    `\nDemo: ${options.machines} machines, ${options.orders} orders, ${options.hours} simulated hours in about ${options.seconds} s` +
      ` (x${Math.round(factor)}); machines report over ${nc ? 'NATS' : 'HTTP'}` +
      `${opcua ? `, ${runId}-M1 over OPC UA (${opcua.config.endpointUrl})` : ''}. API: ${baseUrl}/docs\n` +
      `Log (a JSON line per request): ${logFile}\n\n`,
  );
  const run = await runPlantSimulation({
    clients: api,
    now: () => clock.now(),
    factor,
    machines: options.machines,
    orders: options.orders,
    hours: options.hours,
    defectRate: options['defect-rate'],
    mtbfHours: options['mtbf-hours'],
    mttrHours: options['mttr-hours'],
    lateMaintenanceRate: options['late-maintenance'],
    seed: options.seed,
    runId,
    reached: (ms) => clock.limit(ms),
    ...(nc ? { nats: nc } : {}),
    ...(opcua ? { opcua: opcua.link } : {}),
    onProgress: progressBar(),
  });
  // the OPC UA machine's last readings are taken in and their intervals closed on the simulated clock
  if (demoOpcua && opcua && backbone.opcua) {
    const stream = `machine-${opcua.config.machineId}`;
    await demoOpcua.settleOpcuaMachine({
      opcua,
      adapter: backbone.opcua,
      clock,
      end: Date.parse(run.end),
      logger,
      counted: async () =>
        (await backbone.store.readStream(stream))
          .filter((e) => e.type === 'ProductionCounted')
          .reduce((sum, e) => sum + Number(e.data['total']), 0),
    });
  }
  clock.realTime();
  writeFileSync(marker, `${JSON.stringify({ simulatedUntil: clock.now().toISOString() })}\n`);
  // the process managers settle, then the read models catch up, before the summary is read
  await backbone.services.settle();
  await backbone.readModels.idle();
  const summary = await readSummary(api, run);
  const { sent, ok, refused, failed } = api.counters;
  const refusals = [...api.counters.refusals].map(([rule, n]) => `${rule} ${n}`).join(', ');
  process.stdout.write(
    `${formatSummary(summary, run, `${sent} sent, ${ok} accepted, ${refused} refused${refusals ? ` (${refusals})` : ''}, ${failed} failed`)}\n`,
  );
  await nc?.drain();
  if (options.exit) {
    await backbone.close();
    await opcua?.link.server.stop();
    return { summary, run };
  }
  process.stdout.write(
    `\nThe backbone keeps serving at ${baseUrl} (Ctrl-C stops it). The plant's people log in with POST /api/session;\ntheir logins and passwords are in ${join(config.dataDir, DEMO_CREDENTIALS)} (readable by its owner only).\n`,
  );
  return { summary, run, backbone };
};
