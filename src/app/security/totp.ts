import { Secret, TOTP } from 'otpauth';
import { randomBytes } from 'node:crypto';

const PERIOD = 30;
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

const totpOf = (base32: string, label: string, issuer: string): TOTP =>
  new TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: Secret.fromBase32(base32) });

/** A new TOTP secret (RFC 6238, SHA-1, 6 digits, 30 s: what authenticator apps expect) and its otpauth URI. */
export const newTotp = (label: string, issuer: string): { secret: string; uri: string } => {
  const secret = new Secret({ size: 20 }).base32;
  return { secret, uri: totpOf(secret, label, issuer).toString() };
};

/**
 * The time step a code matches (one step of clock drift either way), or undefined. A caller keeps
 * the last step used per person and refuses a step not after it, so a code works once.
 */
export const totpStep = (base32: string, code: string, at: number): number | undefined => {
  const delta = totpOf(base32, 'x', 'x').validate({ token: code, timestamp: at, window: 1 });
  return delta === null ? undefined : Math.floor(at / 1000 / PERIOD) + delta;
};

/** Recovery codes: ten of `xxxxx-xxxxx` (about 49 bits each), shown once. */
export const newRecoveryCodes = (count = 10): string[] =>
  Array.from({ length: count }, () => {
    const chars = [...randomBytes(10)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });

export const normaliseRecoveryCode = (code: string): string =>
  code
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
