import { createHmac } from 'node:crypto';
import { ValidationError } from '../domain/errors';

/**
 * The keys operation cards are signed with, as kept in `$DATA_DIR/card-keys.json` (src/main/cardKey.ts
 * reads and writes the file; this is the logic, pure). One key is current and signs new cards; a
 * rotation retires it, and a retired key still verifies the cards it signed for a window
 * (CARD_KEY_ROTATION_WINDOW_HOURS), after which its secret is dropped and its cards are refused as
 * expired. The key marked `legacy` verifies cards printed before cards named their key.
 */
export type CardKeyRecord = {
  id: string;
  /** The secret, hex; absent once the key's window ended (the record stays so its cards read "expired"). */
  key?: string;
  createdAt: string;
  retiredAt?: string;
  /** The key of the old `card.key`: it verifies the cards printed without a key id. */
  legacy?: boolean;
};

export type CardKeyFile = {
  /** Signs page cursors: fixed when the file is made, so a rotation leaves cursors valid. */
  cursorKey: string;
  keys: CardKeyRecord[];
};

/** What a card's key id finds: a key in force, a retired key past its window, or nothing issued here. */
export type CardKeyLookup =
  { status: 'valid'; key: Buffer } | { status: 'expired'; key?: Buffer; expiredAt: string } | { status: 'unknown' };

/** The card keys a process signs and verifies with. */
export type CardKeys = {
  /** The current key and its id: what a new card is signed with. */
  signing(): { id: string; key: Buffer };
  /** The key a card names; `undefined`: a card printed before key ids (the legacy key). */
  lookup(id: string | undefined): CardKeyLookup;
};

export const CARD_KEY_ID = '[a-z0-9]{1,16}';
const KEY_ID = new RegExp(`^${CARD_KEY_ID}$`);
const HEX_KEY = /^(?:[0-9a-fA-F]{2}){32,}$/;
const HOUR = 3_600_000;

/** The cursor key as the backbone derived it from the card key before key ids: cursors stay valid across the change. */
export const cursorKeyOf = (cardKey: Buffer): Buffer =>
  createHmac('sha256', cardKey).update('read-store cursors').digest();

/** A card key file with one key, current. */
export const newCardKeyFile = (first: Buffer, createdAt: string, legacy: boolean): CardKeyFile => ({
  cursorKey: cursorKeyOf(first).toString('hex'),
  keys: [{ id: 'k1', key: first.toString('hex'), createdAt, ...(legacy ? { legacy: true } : {}) }],
});

const isTime = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(Date.parse(value));

/** Reads the file's text, refusing anything that would sign with a short key or leave no key current. */
export const parseCardKeyFile = (text: string, where: string): CardKeyFile => {
  const refuse = (message: string): never => {
    throw new ValidationError(`the card key file ${where} ${message}`, [
      { path: '/env/DATA_DIR', message: `card-keys.json ${message}` },
    ]);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return refuse('is not JSON');
  }
  const file = parsed as Partial<CardKeyFile> | null;
  if (!file || typeof file.cursorKey !== 'string' || !HEX_KEY.test(file.cursorKey) || !Array.isArray(file.keys))
    return refuse('needs a cursorKey (hex) and a list of keys');
  const ids = new Set<string>();
  for (const record of file.keys as unknown[]) {
    const r = record as Partial<CardKeyRecord> | null;
    if (!r || typeof r.id !== 'string' || !KEY_ID.test(r.id) || ids.has(r.id))
      return refuse('has a key without an id of its own (a to z, 0 to 9)');
    ids.add(r.id);
    if (r.key !== undefined && (typeof r.key !== 'string' || !HEX_KEY.test(r.key)))
      return refuse(`has key ${r.id} that is not at least 32 bytes of hex`);
    if (!isTime(r.createdAt) || (r.retiredAt !== undefined && !isTime(r.retiredAt)))
      return refuse(`has key ${r.id} without valid createdAt/retiredAt times`);
  }
  const current = file.keys.filter((r) => r.retiredAt === undefined);
  if (current.length !== 1 || current[0]?.key === undefined)
    return refuse('must have exactly one key in force (without retiredAt), with its secret');
  return file as CardKeyFile;
};

export const currentCardKey = (file: CardKeyFile): CardKeyRecord & { key: string } =>
  file.keys.find((r) => r.retiredAt === undefined) as CardKeyRecord & { key: string };

const expiryOf = (record: CardKeyRecord, windowMs: number): number | undefined =>
  record.retiredAt === undefined ? undefined : Date.parse(record.retiredAt) + windowMs;

/** The key a card names, at `now`: in force, retired within its window, past it, or never issued. */
export const lookupCardKey = (
  file: CardKeyFile,
  id: string | undefined,
  now: Date,
  windowMs: number,
): CardKeyLookup => {
  const record = file.keys.find((r) => (id === undefined ? r.legacy === true : r.id === id));
  if (!record) return { status: 'unknown' };
  const key = record.key === undefined ? undefined : Buffer.from(record.key, 'hex');
  const expiry = expiryOf(record, windowMs);
  if (key && (expiry === undefined || now.getTime() < expiry)) return { status: 'valid', key };
  return {
    status: 'expired',
    ...(key ? { key } : {}),
    expiredAt: new Date(expiry ?? now.getTime()).toISOString(),
  };
};

export type CardKeyRotation = { file: CardKeyFile; retired: string; current: string; validUntil: string };

/**
 * Retires the current key at `now` and makes `fresh` current under the next id; the secrets of keys
 * whose window has ended are dropped (their records stay, so their cards are refused as expired).
 */
export const rotateCardKeys = (file: CardKeyFile, fresh: Buffer, now: Date, windowMs: number): CardKeyRotation => {
  const at = now.toISOString();
  const old = currentCardKey(file);
  const next = Math.max(0, ...file.keys.map((r) => Number(/^k(\d+)$/.exec(r.id)?.[1] ?? 0))) + 1;
  const keys = file.keys.map((r): CardKeyRecord => {
    if (r.id === old.id) return { ...r, retiredAt: at };
    const expiry = expiryOf(r, windowMs);
    if (expiry !== undefined && expiry <= now.getTime()) {
      const { key: _dropped, ...kept } = r;
      return kept;
    }
    return r;
  });
  const id = `k${next}`;
  keys.push({ id, key: fresh.toString('hex'), createdAt: at });
  return {
    file: { cursorKey: file.cursorKey, keys },
    retired: old.id,
    current: id,
    validUntil: new Date(now.getTime() + windowMs).toISOString(),
  };
};

export const hoursToMs = (hours: number): number => hours * HOUR;

/** Card keys over a file read anew when it changes (`read`), at the time `now` gives. */
export const createCardKeys = (read: () => CardKeyFile, now: () => Date, windowMs: number): CardKeys => ({
  signing: () => {
    const current = currentCardKey(read());
    return { id: current.id, key: Buffer.from(current.key, 'hex') };
  },
  lookup: (id) => lookupCardKey(read(), id, now(), windowMs),
});

/** One key that never rotates (CARD_KEY, tests): it signs as `id` and verifies its own and legacy cards. */
export const fixedCardKeys = (key: Buffer, id = 'k1'): CardKeys => ({
  signing: () => ({ id, key }),
  lookup: (named) => (named === undefined || named === id ? { status: 'valid', key } : { status: 'unknown' }),
});
