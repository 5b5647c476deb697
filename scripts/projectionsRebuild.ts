// npm run projections:rebuild [name ...]
// Rebuilds read models from the start of the log into fresh namespaces, then switches queries to them.
import { loadConfig } from '../src/main/config';
import { createEventCodec } from '../src/adapters/eventstore/eventCodec';
import { createEventStore } from '../src/main/createEventStore';
import { createLogger } from '../src/lib/logger';
import { openReadStore, plantOf, rebuildElsewhere } from '../src/main/readSide';
import { loadSchemaRegistry } from '../src/app/schemaRegistry';
import { upcasters } from '../src/domain/upcasters';
import { createProjections } from '../src/projections';
import { rebuildReadModels } from '../src/projections/manager';

const bar = (fraction: number, width = 30): string => {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
};
const duration = (seconds: number): string =>
  !Number.isFinite(seconds)
    ? '?'
    : seconds >= 60
      ? `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`
      : `${Math.round(seconds)}s`;

const main = async (): Promise<void> => {
  const schemas = loadSchemaRegistry();
  const config = loadConfig(process.env, schemas);
  const logger = createLogger('warn');
  const plant = plantOf(config, schemas);
  const all = createProjections(plant, { telemetryRetention: config.telemetryRetention });
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !all.some((p) => p.name === n));
  if (unknown.length > 0)
    throw new Error(`no read model named ${unknown.join(', ')}; there are ${all.map((p) => p.name).join(', ')}`);
  const chosen = names.length > 0 ? all.filter((p) => names.includes(p.name)) : all;
  const store = await createEventStore(config.eventStore, createEventCodec(schemas, upcasters));
  const readStore = await openReadStore(config);
  const head = await store.headPosition();
  const total = head && /^\d+$/.test(head) ? Number(head) : undefined;
  const started = Date.now();
  process.stderr.write(
    `rebuilding ${chosen.map((p) => p.name).join(', ')} from ${total?.toLocaleString('en-US') ?? 'all'} events\n`,
  );
  // oee, carbon and maintenance in a worker thread beside the others (SQLite stores), as
  // bench:projections measures
  const elsewhere = rebuildElsewhere(config, plant, config.telemetryRetention);
  const status = await rebuildReadModels(
    { store, readStore, logger },
    chosen,
    ({ position }) => {
      const done = Number(position ?? 0);
      const seconds = (Date.now() - started) / 1000;
      const rate = done / Math.max(seconds, 0.001);
      const left = total ? (total - done) / rate : Number.NaN;
      const fraction = total ? done / total : 0;
      process.stderr.write(
        `\r${bar(fraction)} ${(fraction * 100).toFixed(1).padStart(5)}%  ${done.toLocaleString('en-US')} events  ${Math.round(rate).toLocaleString('en-US')} events/s  ${duration(left)} left   `,
      );
    },
    elsewhere ? { elsewhere } : {},
  );
  process.stderr.write(`\ndone in ${duration((Date.now() - started) / 1000)}\n`);
  for (const s of status)
    console.log(
      `${s.projection.padEnd(12)} ${s.namespace.padEnd(24)} ${s.state.padEnd(12)} ${s.events} events${s.lastError ? `  FAILED at ${s.lastError.position}: ${s.lastError.message}` : ''}`,
    );
  await readStore.close();
  await store.close();
  if (status.some((s) => s.lastError)) process.exitCode = 1;
};

main().catch((error: unknown) => {
  process.stderr.write(`rebuild failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
