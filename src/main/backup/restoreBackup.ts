import {
  chmodSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { SchemaRegistry } from '../../app/schemaRegistry';
import { createEventCodec } from '../../adapters/eventstore/eventCodec';
import { ValidationError } from '../../domain/errors';
import { upcasters } from '../../domain/upcasters';
import type { Logger } from '../../lib/logger';
import { createProjections } from '../../projections';
import { rebuildReadModels } from '../../projections/manager';
import type { ProjectionStatus } from '../../projections/runner';
import type { Config } from '../config';
import { createEventStore } from '../createEventStore';
import { openReadStore, plantOf, rebuildElsewhere } from '../readSide';
import { damagedFiles, readManifest, type BackupFile, type Manifest } from './manifest';
import { reconcile, type Reconciliation } from './reconcile';
import { isWithin, LOG_FILE } from './takeBackup';

/** Derived from the log: rebuilt at restore rather than trusted from the backup. */
const READ_MODELS = 'readmodels.db';

export type RestoreReport = {
  dataDir: string;
  from: string;
  manifest: Manifest;
  /** Where --force moved what the data folder held. */
  replacedTo: string | null;
  /** Files kept outside the data folder: put back where the configuration names them, or left as they were. */
  external: { name: string; to: string; restored: boolean }[];
  reconciliation: Reconciliation;
  readModels: ProjectionStatus[];
  /** The restore record, in the data folder. */
  record: string;
};

/** A log another process has open (the backbone) cannot be locked exclusively: the restore refuses to go on. */
const assertNotInUse = (path: string): void => {
  if (!existsSync(path)) return;
  const db = new Database(path, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch {
    throw new ValidationError(`${path} is in use: stop the backbone before restoring`, [
      { path: '/env/DATA_DIR', message: 'is in use' },
    ]);
  } finally {
    db.close();
  }
};

const externalTarget = (config: Config, file: BackupFile): string | undefined => {
  switch (file.external) {
    case 'proof-signing-key':
      return config.proof.signingKeyFile;
    case 'proof-public-key':
      return join(config.proof.keysDir, basename(file.name));
    case 'proof-witness':
      return config.proof.witnessFile;
    case 'api-keys':
      return config.apiKeysFile ? resolve(config.apiKeysFile) : undefined;
    default:
      return undefined;
  }
};

const copyOwnerOnly = (source: string, dest: string): void => {
  mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
  copyFileSync(source, dest, constants.COPYFILE_EXCL);
  chmodSync(dest, 0o600);
};

/**
 * `npm run restore -- <dir> [--force]`, the backbone stopped: checks every file against the manifest
 * (nothing is written when one differs), puts the files into DATA_DIR (which must be empty, or --force
 * moves its contents aside), reconciles checkpoints, proof and sessions with the restored log, and
 * rebuilds the read models from it.
 */
export const restoreBackup = async (
  config: Config,
  schemas: SchemaRegistry,
  source: string,
  options: { force?: boolean; logger: Logger; now?: () => Date },
): Promise<RestoreReport> => {
  const { logger } = options;
  const now = (options.now ?? (() => new Date()))();
  if (config.eventStore.kind !== 'sqlite')
    throw new ValidationError('EVENT_STORE=esdb: restore the log with EventStoreDB’s own tools', [
      { path: '/env/EVENT_STORE', message: 'must be sqlite for npm run restore' },
    ]);
  const from = resolve(source);
  const { dataDir } = config;
  if (isWithin(dataDir, from) || isWithin(from, dataDir))
    throw new ValidationError(`the backup ${from} and the data folder ${dataDir} must not contain each other`, [
      { path: '/args/dir', message: 'overlaps DATA_DIR' },
    ]);
  const manifest = readManifest(from);
  const damaged = damagedFiles(from, manifest);
  if (damaged.length > 0)
    throw new Error(
      `the backup ${from} does not match its manifest (damaged or altered); nothing was restored:\n  ${damaged.join('\n  ')}`,
    );

  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let replacedTo: string | null = null;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    if (!options.force)
      throw new ValidationError(
        `DATA_DIR ${dataDir} is not empty: restore into an empty folder, or pass --force to move what it holds to ${dataDir}.replaced-<time>`,
        [{ path: '/env/DATA_DIR', message: 'must be empty (or --force)' }],
      );
    assertNotInUse(join(dataDir, LOG_FILE));
    replacedTo = `${dataDir}.replaced-${stamp}`;
    mkdirSync(replacedTo, { mode: 0o700 });
    for (const entry of readdirSync(dataDir)) renameSync(join(dataDir, entry), join(replacedTo, entry));
    logger.warn('the data folder’s contents were moved aside', { dataDir, to: replacedTo });
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);

  const external: RestoreReport['external'] = [];
  for (const file of manifest.files) {
    const path = join(from, file.name);
    if (file.name.startsWith('data/')) {
      const name = file.name.slice('data/'.length);
      if (name !== READ_MODELS) copyOwnerOnly(path, join(dataDir, name));
      continue;
    }
    const to = externalTarget(config, file);
    // a key or witness kept outside the data folder is put back only where nothing is: never overwritten
    const restored = to !== undefined && !existsSync(to);
    if (restored) copyOwnerOnly(path, to);
    external.push({ name: file.name, to: to ?? '(not configured)', restored });
    if (!restored) logger.info('a file kept outside the data folder was left as it is', { name: file.name, to });
  }

  const reconciliation = reconcile(dataDir, config.proof.witnessFile, stamp, logger, now);
  const store = await createEventStore(config.eventStore, createEventCodec(schemas, upcasters));
  const readStore = await openReadStore(config);
  let readModels: ProjectionStatus[];
  try {
    const plant = plantOf(config, schemas);
    // as npm run projections:rebuild: the machine-side read models in a worker thread (SQLite stores)
    const elsewhere = rebuildElsewhere(config, plant, config.telemetryRetention);
    readModels = await rebuildReadModels(
      { store, readStore, logger },
      createProjections(plant, { telemetryRetention: config.telemetryRetention }),
      () => undefined,
      elsewhere ? { elsewhere } : {},
    );
  } finally {
    await readStore.close();
    await store.close();
  }

  const record = join(dataDir, `restore-${stamp}.json`);
  const { files: _files, ...backup } = manifest;
  writeFileSync(
    record,
    `${JSON.stringify({ restoredAt: now.toISOString(), from, backup, replacedTo, external, ...reconciliation }, null, 2)}\n`,
    { mode: 0o600, flag: 'wx' },
  );
  logger.info('restore done', {
    dataDir,
    from,
    headPosition: reconciliation.log.headPosition,
    events: reconciliation.log.events,
    checkpointsSetAside: reconciliation.setAside.length,
    sessionsEnded: reconciliation.sessionsEnded,
    record,
  });
  return { dataDir, from, manifest, replacedTo, external, reconciliation, readModels, record };
};
