import {
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ValidationError } from '../../domain/errors';
import type { Logger } from '../../lib/logger';
import type { Config } from '../config';
import {
  FORMAT,
  MANIFEST,
  isSqliteFile,
  sha256File,
  type BackupFile,
  type ExternalRole,
  type Manifest,
} from './manifest';

/** One step copies every page: a step is one read transaction, so the copy is one instant of the file. */
const ALL_PAGES = 0x7fffffff;
const SIDECAR = /-(wal|shm|journal)$/;
export const LOG_FILE = 'events.db';

export const isWithin = (parent: string, child: string): boolean => {
  const path = relative(resolve(parent), resolve(child));
  return path === '' || (!path.startsWith('..') && !isAbsolute(path));
};

/** The data folder's files, relative, in name order; SQLite's sidecars are read through their database. */
const dataFiles = (dataDir: string, under = ''): string[] =>
  readdirSync(join(dataDir, under), { withFileTypes: true })
    .flatMap((entry) => {
      const path = under ? `${under}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return dataFiles(dataDir, path);
      return entry.isFile() && !SIDECAR.test(entry.name) ? [path] : [];
    })
    .sort();

/** What the configuration keeps outside the data folder and a restore needs: keys, the witness file. */
const externalFiles = (config: Config): { source: string; role: ExternalRole }[] => {
  const { proof } = config;
  const publicKeys = existsSync(proof.keysDir)
    ? readdirSync(proof.keysDir)
        .filter((name) => name.endsWith('.pem'))
        .map((name) => ({ source: join(proof.keysDir, name), role: 'proof-public-key' as const }))
    : [];
  return [
    { source: proof.signingKeyFile, role: 'proof-signing-key' as const },
    ...publicKeys,
    { source: proof.witnessFile, role: 'proof-witness' as const },
    ...(config.apiKeysFile ? [{ source: resolve(config.apiKeysFile), role: 'api-keys' as const }] : []),
  ].filter((f) => existsSync(f.source) && statSync(f.source).isFile() && !isWithin(config.dataDir, f.source));
};

const fsyncPath = (path: string, flags = 'r'): void => {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

/** A file as it is, owner-only, on disk before it counts. */
const copyPlain = (source: string, dest: string): void => {
  copyFileSync(source, dest, constants.COPYFILE_EXCL);
  chmodSync(dest, 0o600);
  fsyncPath(dest, 'r+');
};

/**
 * A database through SQLite's backup API, as of one read transaction of the source: what was committed
 * then, WAL included, whoever writes meanwhile. The copy is made a single file (rollback journal),
 * checked, and handed to `inspect` before it is closed.
 */
const copySqlite = async <T>(source: string, dest: string, inspect: (copy: Database.Database) => T): Promise<T> => {
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(dest, { progress: () => ALL_PAGES });
  } finally {
    db.close();
  }
  chmodSync(dest, 0o600);
  const copy = new Database(dest, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`the copy of ${source} fails SQLite's quick_check: ${String(check)}`);
    return inspect(copy);
  } finally {
    copy.close();
  }
};

const logHead = (copy: Database.Database): Omit<Manifest['log'], 'copiedAt'> => {
  const head = copy
    .prepare<[], { position: number; recorded_at: string }>(
      'SELECT position, recorded_at FROM events ORDER BY position DESC LIMIT 1',
    )
    .get();
  const events = copy.prepare<[], { n: number }>('SELECT count(*) AS n FROM events').get()?.n ?? 0;
  return {
    headPosition: head ? String(head.position).padStart(20, '0') : null,
    events,
    headRecordedAt: head?.recorded_at ?? null,
  };
};

const refuse = (message: string, path: string, problem: string): never => {
  throw new ValidationError(message, [{ path, message: problem }]);
};

/**
 * `npm run backup -- <dir>`: an online copy of the data folder while the backbone runs. Keys and other
 * files first, then every database but the log, then the log: each other file is at or before the
 * log's instant, and a restore brings them forward from the log (README, Backup and restore).
 */
export const takeBackup = async (config: Config, target: string, logger: Logger): Promise<Manifest> => {
  if (config.eventStore.kind !== 'sqlite')
    refuse(
      'EVENT_STORE=esdb: the log is in EventStoreDB; back it up with its own tools (README, Backup and restore)',
      '/env/EVENT_STORE',
      'must be sqlite for npm run backup',
    );
  const dir = resolve(target);
  const { dataDir } = config;
  if (!existsSync(join(dataDir, LOG_FILE))) refuse(`${dataDir} holds no ${LOG_FILE}`, '/env/DATA_DIR', 'holds no log');
  if (isWithin(dataDir, dir) || isWithin(dir, dataDir))
    refuse(
      `the backup folder ${dir} and the data folder ${dataDir} must not contain each other`,
      '/args/dir',
      'overlaps DATA_DIR',
    );
  if (existsSync(dir) && readdirSync(dir).length > 0)
    refuse(`the backup folder ${dir} is not empty: name a new folder`, '/args/dir', 'must be new or empty');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const startedAt = new Date().toISOString();

  const files: BackupFile[] = [];
  const place = (name: string): string => {
    const dest = join(dir, name);
    mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
    return dest;
  };
  const record = (name: string, kind: BackupFile['kind'], external?: ExternalRole): void => {
    const path = join(dir, name);
    files.push({
      name,
      kind,
      bytes: statSync(path).size,
      sha256: sha256File(path),
      mode: '600',
      ...(external ? { external } : {}),
    });
  };

  const inData = dataFiles(dataDir);
  const databases = inData.filter((path) => path !== LOG_FILE && isSqliteFile(join(dataDir, path)));
  for (const path of inData.filter((p) => p !== LOG_FILE && !databases.includes(p))) {
    copyPlain(join(dataDir, path), place(`data/${path}`));
    record(`data/${path}`, 'file');
  }
  for (const { source, role } of externalFiles(config)) {
    const name = `external/${role}/${basename(source)}`;
    copyPlain(source, place(name));
    record(name, 'file', role);
  }
  for (const path of databases) {
    await copySqlite(join(dataDir, path), place(`data/${path}`), () => undefined);
    record(`data/${path}`, 'sqlite');
  }
  const head = await copySqlite(join(dataDir, LOG_FILE), place(`data/${LOG_FILE}`), logHead);
  const copiedAt = new Date().toISOString();
  record(`data/${LOG_FILE}`, 'sqlite');

  const manifest: Manifest = {
    format: FORMAT,
    version: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    dataDir,
    log: { ...head, copiedAt },
    files,
  };
  // the manifest last, by rename: a backup that did not finish has none, and a restore refuses it
  const partial = join(dir, `${MANIFEST}.partial`);
  writeFileSync(partial, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  fsyncPath(partial, 'r+');
  renameSync(partial, join(dir, MANIFEST));
  fsyncPath(dir);
  logger.info('backup taken', {
    dir,
    files: files.length,
    headPosition: head.headPosition,
    events: head.events,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
  });
  return manifest;
};
