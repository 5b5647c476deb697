import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { cardPayload, verifyCard } from '../../src/app/operationCards';
import { ValidationError } from '../../src/domain/errors';

describe('operation cards (QR payload)', () => {
  const key = randomBytes(32);
  it('names the order and operation, signed, and verifies back to them', () => {
    const payload = cardPayload(key, { orderId: 'PO-2026-0042', operationId: '020' });
    expect(payload).to.match(/^MES1\/PO-2026-0042\/020\/[A-Za-z0-9_-]{22}$/);
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
    for (const junk of ['', 'MES1/PO-1/010', 'https://example.com', 42, null, 'MES1/PO 1/010/aaaaaaaaaaaaaaaaaaaaaa']) {
      expect(() => verifyCard(key, junk), String(junk)).to.throw(ValidationError);
    }
  });
});
