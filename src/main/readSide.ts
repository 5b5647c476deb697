import { join } from 'node:path';
import { createSqliteReadStore } from '../adapters/readstore/sqliteReadStore';
import type { Config } from './config';
import { readFileSync } from 'node:fs';
import { DEFAULT_EMISSION_FACTOR, DEFAULT_SHIFTS, type PlantConfig } from '../app/plant';
import type { ReadStore } from '../app/readStore';
import type { SchemaRegistry } from '../app/schemaRegistry';
import { calendarProblems } from '../domain/calendar';
import { ValidationError } from '../domain/errors';

/** The read store the configuration names: MongoDB when MONGO_URL is set, else a SQLite file. */
export const openReadStore = async (config: Config): Promise<ReadStore> => {
  if (config.mongoUrl) {
    const { createMongoReadStore } = await import('../adapters/readstore/mongoReadStore');
    return createMongoReadStore(config.mongoUrl);
  }
  return createSqliteReadStore(join(config.dataDir, 'readmodels.db'));
};

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
