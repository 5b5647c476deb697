import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';

export const MANIFEST = 'manifest.json';
export const FORMAT = 'mes-backbone-backup';

/**
 * Where a file outside the data folder goes back to: the path the restoring configuration names for
 * the same thing (the signing key, the public keys folder, the witness file, the old API key file).
 */
export type ExternalRole = 'proof-signing-key' | 'proof-public-key' | 'proof-witness' | 'api-keys';

export type BackupFile = {
  /** Its path in the backup: `data/<path in the data folder>` or `external/<role>/<file name>`. */
  name: string;
  /** `sqlite`: copied with SQLite's backup API (a consistent snapshot); `file`: copied as it is. */
  kind: 'sqlite' | 'file';
  bytes: number;
  sha256: string;
  /** Octal, always 600: a backup holds the keys. */
  mode: string;
  external?: ExternalRole;
};

export type Manifest = {
  format: typeof FORMAT;
  version: 1;
  /** When the backup began and ended (ISO). */
  startedAt: string;
  finishedAt: string;
  dataDir: string;
  /** The log at the instant its copy was taken: what the backup holds, and what a restore brings back. */
  log: { headPosition: string | null; events: number; headRecordedAt: string | null; copiedAt: string };
  /** In the order they were copied: the log last, so every other file is at or before its instant. */
  files: BackupFile[];
};

export const sha256File = (path: string): string => {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) hash.update(chunk.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
};

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** A SQLite database by its first 16 bytes (not by its name). */
export const isSqliteFile = (path: string): boolean => {
  if (statSync(path).size < SQLITE_HEADER.length) return false;
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return head.equals(SQLITE_HEADER);
};

/** A name in the manifest must stay inside the backup: relative, under data/ or external/, no `..`. */
const safeName = (name: unknown): name is string =>
  typeof name === 'string' &&
  !isAbsolute(name) &&
  normalize(name) === name &&
  !name.split('/').includes('..') &&
  (name.startsWith('data/') || name.startsWith('external/'));

/** Reads and checks a backup's manifest; throws naming what is wrong. */
export const readManifest = (dir: string): Manifest => {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) throw new Error(`${path} does not exist: not a backup, or one that did not finish`);
  let parsed: Partial<Manifest>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Manifest>;
  } catch (error) {
    throw new Error(`${path} is not JSON: ${(error as Error).message}`);
  }
  if (parsed.format !== FORMAT || parsed.version !== 1)
    throw new Error(`${path} is not a version 1 ${FORMAT} manifest`);
  if (!parsed.log || typeof parsed.log.events !== 'number') throw new Error(`${path} names no log head`);
  const files = Array.isArray(parsed.files) ? parsed.files : [];
  for (const file of files) {
    if (!safeName(file.name) || !/^[0-9a-f]{64}$/.test(String(file.sha256)) || typeof file.bytes !== 'number')
      throw new Error(`${path}: the entry ${JSON.stringify(file)} is not a file of this backup`);
  }
  if (!files.some((f) => f.name === 'data/events.db')) throw new Error(`${path} holds no event log (data/events.db)`);
  return parsed as Manifest;
};

/** The files whose content is not what the manifest says (missing, another size, another sha256). */
export const damagedFiles = (dir: string, manifest: Manifest): string[] =>
  manifest.files.flatMap((file) => {
    const path = join(dir, file.name);
    if (!existsSync(path)) return [`${file.name}: missing`];
    if (statSync(path).size !== file.bytes)
      return [`${file.name}: ${statSync(path).size} bytes, ${file.bytes} expected`];
    const sha256 = sha256File(path);
    return sha256 === file.sha256 ? [] : [`${file.name}: sha256 ${sha256}, ${file.sha256} expected`];
  });
