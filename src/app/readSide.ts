import { join } from 'node:path';
import { createSqliteReadStore } from '../adapters/readstore/sqliteReadStore';
import type { Config } from './config';
import { loadPlantConfig, type PlantConfig } from './plant';
import type { ReadStore } from './readStore';
import type { SchemaRegistry } from './schemaRegistry';

/** The read store the configuration names: MongoDB when MONGO_URL is set, else a SQLite file. */
export const openReadStore = async (config: Config): Promise<ReadStore> => {
  if (config.mongoUrl) {
    const { createMongoReadStore } = await import('../adapters/readstore/mongoReadStore');
    return createMongoReadStore(config.mongoUrl);
  }
  return createSqliteReadStore(join(config.dataDir, 'readmodels.db'));
};

export const plantOf = (config: Config, schemas: SchemaRegistry): PlantConfig =>
  loadPlantConfig(config.timeZone, config.plantConfigFile, schemas);
