import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../domain/errors';

const PREFIX = 'MES1';
const ID = '[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}';
const CARD = new RegExp(`^${PREFIX}/(${ID})/(${ID})/([A-Za-z0-9_-]{22})$`);

export type CardTarget = { orderId: string; operationId: string };

const sign = (key: Buffer, orderId: string, operationId: string): string =>
  createHmac('sha256', key)
    .update(`${PREFIX}/${orderId}/${operationId}`)
    .digest()
    .subarray(0, 16)
    .toString('base64url');

/**
 * The QR payload of an operation card: `MES1/<orderId>/<operationId>/<signature>`, the signature an
 * HMAC-SHA256 under the server's key (128 bits, base64url). Short enough for a small QR code.
 */
export const cardPayload = (key: Buffer, target: CardTarget): string =>
  `${PREFIX}/${target.orderId}/${target.operationId}/${sign(key, target.orderId, target.operationId)}`;

/** The order and operation a scanned card names; a forged, altered or malformed card is refused. */
export const verifyCard = (key: Buffer, payload: unknown): CardTarget => {
  const match = typeof payload === 'string' ? CARD.exec(payload) : null;
  if (!match) {
    throw new ValidationError('the card is not an operation card', [
      { path: '/card', message: `must look like ${PREFIX}/<order>/<operation>/<signature>` },
    ]);
  }
  const [, orderId, operationId, signature] = match as unknown as [string, string, string, string];
  const expected = Buffer.from(sign(key, orderId, operationId));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ValidationError('the card’s signature does not match: it was altered or not issued here', [
      { path: '/card', message: 'has an invalid signature' },
    ]);
  }
  return { orderId, operationId };
};
