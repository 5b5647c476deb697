import { expect } from 'chai';
import { createHmac, randomBytes } from 'node:crypto';
import {
  createCardKeys,
  hoursToMs,
  newCardKeyFile,
  parseCardKeyFile,
  rotateCardKeys,
  type CardKeyFile,
} from '../../src/app/cardKeys';
import { cardPayload, verifyCard } from '../../src/app/operationCards';
import { ValidationError } from '../../src/domain/errors';

/** A card as the backbone printed it before key ids: `MES1/<order>/<operation>/<signature>`. */
const legacyCard = (key: Buffer, orderId: string, operationId: string): string => {
  const text = `MES1/${orderId}/${operationId}`;
  return `${text}/${createHmac('sha256', key).update(text).digest().subarray(0, 16).toString('base64url')}`;
};

const refusal = (fn: () => unknown): ValidationError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('the card was accepted');
};

describe('operation cards (QR payload)', () => {
  const key = randomBytes(32);
  it('names its key, the order and the operation, signed, and verifies back to them', () => {
    const payload = cardPayload(key, { orderId: 'PO-2026-0042', operationId: '020' });
    expect(payload).to.match(/^MES2\/k1\/PO-2026-0042\/020\/[A-Za-z0-9_-]{22}$/);
    expect(verifyCard(key, payload)).to.deep.equal({ orderId: 'PO-2026-0042', operationId: '020' });
  });
  it('refuses a card altered to name another operation or order', () => {
    const payload = cardPayload(key, { orderId: 'PO-1', operationId: '010' });
    expect(() => verifyCard(key, payload.replace('/010/', '/020/'))).to.throw(ValidationError, /signature/);
    expect(() => verifyCard(key, payload.replace('PO-1', 'PO-2'))).to.throw(ValidationError, /signature/);
  });
  it('refuses a card signed with another key, and anything that is not a card', () => {
    const forged = cardPayload(randomBytes(32), { orderId: 'PO-1', operationId: '010' });
    expect(() => verifyCard(key, forged)).to.throw(ValidationError, /signature/);
    for (const junk of [
      '',
      'MES1/PO-1/010',
      'MES2/PO-1/010/aaaaaaaaaaaaaaaaaaaaaa',
      'MES2/K1/PO-1/010/aaaaaaaaaaaaaaaaaaaaaa',
      'https://example.com',
      42,
      null,
      'MES1/PO 1/010/aaaaaaaaaaaaaaaaaaaaaa',
    ]) {
      expect(() => verifyCard(key, junk), String(junk)).to.throw(ValidationError);
    }
  });
  it('still verifies a card printed before key ids with the same key', () => {
    expect(verifyCard(key, legacyCard(key, 'PO-1', '010'))).to.deep.equal({ orderId: 'PO-1', operationId: '010' });
    expect(() => verifyCard(key, legacyCard(randomBytes(32), 'PO-1', '010'))).to.throw(ValidationError, /signature/);
  });
});

describe('card key rotation', () => {
  const WINDOW = hoursToMs(720);
  const legacyKey = randomBytes(32);
  const created = new Date('2026-01-05T00:00:00.000Z');
  const rotatedAt = new Date('2026-11-30T08:00:00.000Z');
  let now = rotatedAt;
  let file: CardKeyFile = newCardKeyFile(legacyKey, created.toISOString(), true);
  const keys = createCardKeys(
    () => file,
    () => now,
    WINDOW,
  );
  const target = { orderId: 'PO-9', operationId: '010' };

  it('signs with the current key, and after a rotation names the new key while old cards hold for the window', () => {
    const before = cardPayload(keys, target);
    expect(before).to.match(/^MES2\/k1\//);
    const old = legacyCard(legacyKey, 'PO-9', '010');
    const rotation = rotateCardKeys(file, randomBytes(32), rotatedAt, WINDOW);
    file = rotation.file;
    expect(rotation).to.deep.include({ retired: 'k1', current: 'k2', validUntil: '2026-12-30T08:00:00.000Z' });
    const after = cardPayload(keys, target);
    expect(after).to.match(/^MES2\/k2\//);
    // within the window: the old key's cards, with and without a key id, and the new ones
    now = new Date('2026-12-30T07:59:59.000Z');
    for (const card of [before, old, after]) expect(verifyCard(keys, card), card).to.deep.equal(target);
    // after it: refused as expired, saying so; the new key's cards still pass
    now = new Date('2026-12-30T08:00:00.000Z');
    for (const card of [before, old]) {
      const error = refusal(() => verifyCard(keys, card));
      expect(error.rule, card).to.equal('card-expired');
      expect(error.message).to.match(/print the card again/);
      expect(error.problems).to.deep.equal([{ path: '/card', message: 'has expired: reprint the card' }]);
      expect(error.params).to.deep.include({ expiredAt: '2026-12-30T08:00:00.000Z' });
    }
    expect(verifyCard(keys, after)).to.deep.equal(target);
  });

  it('refuses a card naming a key never issued, and a key id swapped onto another key’s card', () => {
    const card = cardPayload(keys, target);
    const unknown = refusal(() => verifyCard(keys, card.replace('MES2/k2/', 'MES2/k7/')));
    expect(unknown.rule).to.equal('card-key-unknown');
    expect(unknown.params).to.deep.equal({ keyId: 'k7' });
    // k1 is known (retired): the signature under k1 does not match a k2 card renamed to k1
    now = new Date('2026-12-01T00:00:00.000Z');
    expect(() => verifyCard(keys, card.replace('MES2/k2/', 'MES2/k1/'))).to.throw(ValidationError, /signature/);
  });

  it('drops the secret of a key past its window at the next rotation, its cards still read as expired', () => {
    const oldCard = legacyCard(legacyKey, 'PO-9', '010');
    const next = rotateCardKeys(file, randomBytes(32), new Date('2027-02-01T00:00:00.000Z'), WINDOW);
    expect(next.file.keys.map((k) => [k.id, k.key !== undefined])).to.deep.equal([
      ['k1', false],
      ['k2', true],
      ['k3', true],
    ]);
    expect(next.file.cursorKey, 'the cursor key survives rotations').to.equal(file.cursorKey);
    file = next.file;
    now = new Date('2027-02-01T00:00:00.000Z');
    expect(refusal(() => verifyCard(keys, oldCard)).rule).to.equal('card-expired');
    expect(parseCardKeyFile(JSON.stringify(file), 'test')).to.deep.equal(file);
  });

  it('refuses a card key file with a short key, two keys in force or none', () => {
    const good = newCardKeyFile(randomBytes(32), created.toISOString(), false);
    const variants: unknown[] = [
      'not json',
      { ...good, keys: [{ ...good.keys[0], key: 'ab'.repeat(31) }] },
      { ...good, keys: [...good.keys, { id: 'k2', key: 'ab'.repeat(32), createdAt: created.toISOString() }] },
      { ...good, keys: [{ ...good.keys[0], retiredAt: created.toISOString() }] },
      { ...good, cursorKey: 'short' },
    ];
    for (const variant of variants) {
      const text = typeof variant === 'string' ? variant : JSON.stringify(variant);
      expect(() => parseCardKeyFile(text, 'card-keys.json'), text).to.throw(ValidationError, /card key file/);
    }
  });

  it('refuses a card printed before key ids on a server that never had the old key', () => {
    const fresh = createCardKeys(
      () => newCardKeyFile(randomBytes(32), created.toISOString(), false),
      () => now,
      WINDOW,
    );
    expect(refusal(() => verifyCard(fresh, legacyCard(randomBytes(32), 'PO-1', '010'))).rule).to.equal(
      'card-key-unknown',
    );
  });
});
