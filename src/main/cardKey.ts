import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import {
  createCardKeys,
  cursorKeyOf,
  fixedCardKeys,
  hoursToMs,
  newCardKeyFile,
  parseCardKeyFile,
  rotateCardKeys,
  type CardKeyFile,
  type CardKeyRotation,
  type CardKeys,
} from '../app/cardKeys';
import { ValidationError } from '../domain/errors';

const HEX_KEY = /^(?:[0-9a-fA-F]{2}){32,}$/;
export const CARD_KEY_FILE = 'card-keys.json';

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

/** Writes the file whole into a temporary one beside it (owner-only, synced). */
const writeTemporary = (path: string, file: CardKeyFile): string => {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600); // a file left by an interrupted run keeps its mode otherwise
    writeSync(fd, `${JSON.stringify(file, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return temporary;
};

/**
 * The card key file of the data folder, made at the first start: from an older install's
 * `card.key` (its key becomes `k1`, the legacy key that still verifies the cards printed before key
 * ids, and card.key is removed), else a new key. Two processes starting at once keep the same file:
 * it is linked into place only if none is there yet.
 */
export const ensureCardKeyFile = (dataDir: string, now: Date): CardKeyFile => {
  const path = join(dataDir, CARD_KEY_FILE);
  const legacyPath = join(dataDir, 'card.key');
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true });
    const legacy = existsSync(legacyPath);
    const made = legacy
      ? newCardKeyFile(
          parse(readFileSync(legacyPath, 'utf8'), `in ${legacyPath}`, 'DATA_DIR'),
          statSync(legacyPath).mtime.toISOString(),
          true,
        )
      : newCardKeyFile(randomBytes(32), now.toISOString(), false);
    const temporary = writeTemporary(path, made);
    try {
      linkSync(temporary, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temporary);
    }
  }
  const file = parseCardKeyFile(readFileSync(path, 'utf8'), path);
  // card.key once its key is in the file (also when a start stopped between the two)
  const legacyKey = file.keys.find((r) => r.legacy)?.key;
  if (
    legacyKey &&
    existsSync(legacyPath) &&
    readFileSync(legacyPath, 'utf8').trim().toLowerCase() === legacyKey.toLowerCase()
  )
    unlinkSync(legacyPath);
  return file;
};

export type LoadedCardKeys = {
  keys: CardKeys;
  /** Signs page cursors; unchanged by a rotation (and by the move to key ids: derived as before). */
  cursorKey: Buffer;
};

/**
 * The keys that sign operation cards: CARD_KEY when configured (one key, never rotated), else the
 * data folder's card key file, read again whenever it changes (a rotation by `npm run keys --
 * rotate-card` holds from the next card on, without a restart).
 */
export const loadCardKeys = (
  configured: string | undefined,
  dataDir: string,
  options: {
    windowHours: number;
    now?: () => Date;
    /** Told when the file changed into something unusable: the keys read last stay in force. */
    warn?: (message: string, fields: Record<string, unknown>) => void;
  },
): LoadedCardKeys => {
  const now = options.now ?? (() => new Date());
  if (configured) {
    const key = parse(configured, 'in CARD_KEY', 'CARD_KEY');
    return { keys: fixedCardKeys(key, 'env'), cursorKey: cursorKeyOf(key) };
  }
  const path = join(dataDir, CARD_KEY_FILE);
  ensureCardKeyFile(dataDir, now());
  let file: CardKeyFile | undefined;
  let seen: Stats | undefined;
  // a rotation renames a new file over the old one: another inode, or at least another time or size
  const read = (): CardKeyFile => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat && (!seen || stat.ino !== seen.ino || stat.mtimeMs !== seen.mtimeMs || stat.size !== seen.size)) {
      seen = stat;
      try {
        file = parseCardKeyFile(readFileSync(path, 'utf8'), path);
      } catch (error) {
        if (!file) throw error;
        options.warn?.('the card key file changed into one that cannot be used: the keys read before stay in force', {
          path,
          error: (error as Error).message,
        });
      }
    }
    if (!file)
      throw new ValidationError(`the card key file ${path} is gone`, [
        { path: '/env/DATA_DIR', message: 'card-keys.json is missing' },
      ]);
    return file;
  };
  const first = read();
  return {
    keys: createCardKeys(read, now, hoursToMs(options.windowHours)),
    cursorKey: Buffer.from(first.cursorKey, 'hex'),
  };
};

/** Retires the current card key and makes a new one current; the file stays owner-only. */
export const rotateCardKey = (dataDir: string, options: { windowHours: number; now?: Date }): CardKeyRotation => {
  const now = options.now ?? new Date();
  const rotation = rotateCardKeys(
    ensureCardKeyFile(dataDir, now),
    randomBytes(32),
    now,
    hoursToMs(options.windowHours),
  );
  const path = join(dataDir, CARD_KEY_FILE);
  renameSync(writeTemporary(path, rotation.file), path);
  return rotation;
};
