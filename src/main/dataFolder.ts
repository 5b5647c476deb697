import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../domain/errors';
import type { Logger } from '../lib/logger';

/**
 * The data folder holds the log, the keys and the sessions: created 0700, refused when others may
 * write to it, and its files made owner-only (an older install's 0644 databases are tightened).
 * With the process's umask at 077 (main.ts), every file written later is 0600 too.
 */
export const prepareDataFolder = (dataDir: string, logger: Logger): void => {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const mode = statSync(dataDir).mode & 0o777;
  if ((mode & 0o022) !== 0) {
    throw new ValidationError(
      `the data folder ${dataDir} may be written by others (mode ${mode.toString(8)}): chmod 700 it`,
      [{ path: '/env/DATA_DIR', message: 'must not be group- or world-writable' }],
    );
  }
  if ((mode & 0o077) !== 0) chmodSync(dataDir, 0o700);
  const tightened: string[] = [];
  for (const entry of readdirSync(dataDir, { withFileTypes: true })) {
    const path = join(dataDir, entry.name);
    const entryMode = statSync(path).mode & 0o777;
    if ((entryMode & 0o077) === 0) continue;
    chmodSync(path, entry.isDirectory() ? 0o700 : 0o600);
    tightened.push(entry.name);
  }
  if (tightened.length > 0 || (mode & 0o077) !== 0) {
    logger.warn('the data folder was readable by others: made owner-only', { dataDir, files: tightened });
  }
};
