import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../domain/errors';
import { CARD_KEY_ID, fixedCardKeys, type CardKeys } from './cardKeys';

const PREFIX = 'MES2';
const LEGACY_PREFIX = 'MES1';
const ID = '[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}';
const TARGET = `(?<orderId>${ID})/(?<operationId>${ID})/(?<signature>[A-Za-z0-9_-]{22})`;
const CARD = new RegExp(`^${PREFIX}/(?<keyId>${CARD_KEY_ID})/${TARGET}$`);
const LEGACY_CARD = new RegExp(`^${LEGACY_PREFIX}/${TARGET}$`);

export type CardTarget = { orderId: string; operationId: string };

/** The card keys, or one bare key (tests, tools): a ring of that key alone. */
export type CardKeySource = CardKeys | Buffer;

const keysOf = (source: CardKeySource): CardKeys => (Buffer.isBuffer(source) ? fixedCardKeys(source) : source);

const sign = (key: Buffer, text: string): string =>
  createHmac('sha256', key).update(text).digest().subarray(0, 16).toString('base64url');

/**
 * The QR payload of an operation card: `MES2/<keyId>/<orderId>/<operationId>/<signature>`, the
 * signature an HMAC-SHA256 under the current card key (128 bits, base64url) over everything before it,
 * the key id included. Short enough for a small QR code.
 */
export const cardPayload = (keys: CardKeySource, target: CardTarget): string => {
  const { id, key } = keysOf(keys).signing();
  const text = `${PREFIX}/${id}/${target.orderId}/${target.operationId}`;
  return `${text}/${sign(key, text)}`;
};

const refuse = (message: string, problem: string, rule?: string, params?: Record<string, string>): never => {
  throw new ValidationError(message, [{ path: '/card', message: problem }], {
    ...(rule ? { rule } : {}),
    ...(params ? { params } : {}),
  });
};

/**
 * The order and operation a scanned card names; a forged, altered, malformed or expired card is
 * refused. A card printed before key ids (`MES1/<order>/<operation>/<signature>`) is checked with
 * the legacy key while it is in force or within its window after a rotation.
 */
export const verifyCard = (keys: CardKeySource, payload: unknown): CardTarget => {
  const text = typeof payload === 'string' ? payload : '';
  const groups = (CARD.exec(text) ?? LEGACY_CARD.exec(text))?.groups;
  if (!groups) {
    return refuse(
      'the card is not an operation card',
      `must look like ${PREFIX}/<key>/<order>/<operation>/<signature>`,
    );
  }
  // the patterns have these groups; keyId is absent from a card printed before key ids
  const { keyId, orderId, operationId, signature } = groups as {
    keyId?: string;
    orderId: string;
    operationId: string;
    signature: string;
  };
  const found = keysOf(keys).lookup(keyId);
  if (found.status === 'unknown') {
    return keyId === undefined
      ? refuse(
          'the card was printed before cards named their key, and this server keeps no key of that time: print it again',
          'was signed with a key not kept here: reprint the card',
          'card-key-unknown',
        )
      : refuse(
          `the card names signing key ${keyId}, which this server never issued: it is forged or from another plant`,
          'names an unknown signing key',
          'card-key-unknown',
          { keyId },
        );
  }
  if (found.key) {
    const expected = Buffer.from(sign(found.key, text.slice(0, text.length - signature.length - 1)));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      refuse('the card’s signature does not match: it was altered or not issued here', 'has an invalid signature');
    }
  }
  if (found.status === 'expired') {
    refuse(
      `the card was signed with ${keyId === undefined ? 'the card key before key ids' : `key ${keyId}`}, retired and no longer accepted since ${found.expiredAt}: print the card again`,
      'has expired: reprint the card',
      'card-expired',
      { keyId: keyId ?? 'legacy', expiredAt: found.expiredAt },
    );
  }
  return { orderId, operationId };
};
