import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The key that signs operation cards: from configuration, else the one kept in the data folder,
 * else a new one written there (owner-only), so printed cards stay valid across restarts.
 */
export const loadCardKey = (configured: string | undefined, dataDir: string): Buffer => {
  if (configured) return Buffer.from(configured, 'hex');
  const path = join(dataDir, 'card.key');
  if (existsSync(path)) return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
};
