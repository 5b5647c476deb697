import { join } from 'node:path';
import { createSqliteReadStore } from '../adapters/readstore/sqliteReadStore';
import { READ_MODELS_PAGE_CACHE_KIB } from '../lib/sqlitePageCache';
import type { Config } from './config';
import { readFileSync } from 'node:fs';
import { DEFAULT_EMISSION_FACTOR, DEFAULT_SHIFTS, type PlantConfig } from '../app/plant';
import type { ReadStore } from '../app/readStore';
import type { SchemaRegistry } from '../app/schemaRegistry';
import { calendarProblems } from '../domain/calendar';
import { ValidationError } from '../domain/errors';
import type { RebuildElsewhere } from '../projections/manager';
import type { TelemetryRetention } from '../projections/models/telemetry';
import { MACHINE_SIDE, rebuildInWorker } from './rebuildWorker';

const readModelsFile = (config: Config): string => join(config.dataDir, 'readmodels.db');

/**
 * The read store the configuration names: MongoDB when MONGO_URL is set, else a SQLite file (`live`: the
 * running backbone's, with a smaller page cache than a rebuild's).
 */
export const openReadStore = async (config: Config, options: { live?: boolean } = {}): Promise<ReadStore> => {
  if (config.mongoUrl) {
    const { createMongoReadStore } = await import('../adapters/readstore/mongoReadStore');
    return createMongoReadStore(config.mongoUrl);
  }
  return createSqliteReadStore(
    readModelsFile(config),
    options.live ? { pageCacheKib: READ_MODELS_PAGE_CACHE_KIB } : {},
  );
};

/**
 * How a full rebuild uses a second core (what bench:projections measures): the read models
 * MACHINE_SIDE rebuilt in a worker thread over the same SQLite files. Undefined when either store is not a
 * SQLite file (the rebuild then runs on one thread).
 */
export const rebuildElsewhere = (
  config: Config,
  plant: PlantConfig,
  telemetryRetention?: TelemetryRetention,
): RebuildElsewhere | undefined =>
  config.eventStore.kind === 'sqlite' && !config.mongoUrl && config.eventStore.path !== ':memory:'
    ? rebuildInWorker({
        eventsPath: config.eventStore.path,
        readPath: readModelsFile(config),
        plant,
        telemetryRetention,
        names: MACHINE_SIDE,
      })
    : undefined;

/** The plant configuration: defaults, overridden by the JSON file PLANT_CONFIG names (validated). */
const loadPlantConfig = (timeZone: string, file: string | undefined, schemas: SchemaRegistry): PlantConfig => {
  const config: PlantConfig = { timeZone, shifts: DEFAULT_SHIFTS, emissionFactors: [DEFAULT_EMISSION_FACTOR] };
  if (!file) return config;
  const given = schemas.parse('config/plant', JSON.parse(readFileSync(file, 'utf8')), `plant configuration ${file}`);
  const problems = [
    ...(given.calendar ? calendarProblems(given.calendar) : []),
    ...(given.calendars ?? []).flatMap((c, i) => calendarProblems(c.calendar, `/calendars/${i}/calendar`)),
  ];
  if (problems.length > 0)
    throw new ValidationError(`plant configuration ${file}: a calendar is not consistent`, problems);
  return {
    ...config,
    ...(given.shifts ? { shifts: given.shifts } : {}),
    ...(given.emissionFactors ? { emissionFactors: given.emissionFactors } : {}),
    ...(given.calendar ? { calendar: given.calendar } : {}),
    ...(given.calendars ? { calendars: given.calendars.map((c) => ({ ...c, version: 0 })) } : {}),

    ...(given.dispatchRule ? { dispatchRule: given.dispatchRule } : {}),
  };
};

export const plantOf = (config: Config, schemas: SchemaRegistry): PlantConfig =>
  loadPlantConfig(config.timeZone, config.plantConfigFile, schemas);
