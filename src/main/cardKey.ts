import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../domain/errors';

const HEX_KEY = /^(?:[0-9a-fA-F]{2}){32,}$/;

/** A card key is at least 32 bytes of hex: anything else (a truncated file, a typo) would sign forgeable cards. */
const parse = (text: string, where: string, variable: string): Buffer => {
  const hex = text.trim();
  if (!HEX_KEY.test(hex)) {
    throw new ValidationError(`the card key ${where} is not at least 32 bytes of hex`, [
      { path: `/env/${variable}`, message: 'must be at least 64 hexadecimal digits' },
    ]);
  }
  return Buffer.from(hex, 'hex');
};

/**
 * The key that signs operation cards: from configuration, else the one kept in the data folder,
 * else a new one written there (owner-only), so printed cards stay valid across restarts.
 */
export const loadCardKey = (configured: string | undefined, dataDir: string): Buffer => {
  if (configured) return parse(configured, 'in CARD_KEY', 'CARD_KEY');
  const path = join(dataDir, 'card.key');
  if (existsSync(path)) return parse(readFileSync(path, 'utf8'), `in ${path}`, 'DATA_DIR');
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
};
