import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hash,
  hkdfSync,
  randomBytes,
  scrypt,
  timingSafeEqual,
} from 'node:crypto';
import type { Credential } from '../../domain/people';

/** scrypt cost: 32 MiB and about 0.1-0.3 s a hash on a small server. Recorded in each credential, so raising it later still verifies older ones. */
const SCRYPT = { N: 32768, r: 8, p: 1, keyLength: 32 } as const;

const scryptAsync = (secret: string, salt: Buffer, c: Omit<Credential, 'algorithm' | 'sealed'>): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    scrypt(
      secret.normalize('NFKC'),
      salt,
      c.keyLength,
      { N: c.N, r: c.r, p: c.p, maxmem: 256 * c.N * c.r },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );

/** One-shot (`crypto.hash`): no Hash object per call, as a key check on every request would make. */
export const sha256Hex = (text: string): string => hash('sha256', text, 'hex');

/** Constant-time comparison of two hex digests of the same kind. */
export const sameHex = (a: string, b: string): boolean => {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
};

/** Random text safe in URLs, headers and cookies. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

export type Secrets = ReturnType<typeof createSecrets>;

/**
 * What the server's pepper (a 0600 file in DATA_DIR) keys: HMAC-SHA256 of API key secrets and
 * recovery codes, and AES-256-GCM sealing of password hashes, PIN hashes and TOTP secrets, so the
 * event log alone (a copy of the database, the NATS feed) reveals none of them.
 */
export const createSecrets = (pepper: Buffer) => {
  const sealKey = Buffer.from(hkdfSync('sha256', pepper, Buffer.alloc(0), 'mes-backbone seal v1', 32));
  const seal = (plain: string): string => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join(
      '.',
    );
  };
  const unseal = (sealed: string): string => {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed value of this server');
    const decipher = createDecipheriv('aes-256-gcm', sealKey, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  };
  const hash = async (secret: string): Promise<Credential> => {
    const salt = randomBytes(16);
    const hashed = await scryptAsync(secret, salt, SCRYPT);
    return { algorithm: 'scrypt', ...SCRYPT, sealed: seal(`${salt.toString('base64')}$${hashed.toString('base64')}`) };
  };
  // an unknown account is answered after the same work as a known one; made at the first such login, not at start
  let decoy: Promise<Credential> | undefined;
  const verify = async (secret: string, credential: Credential): Promise<boolean> => {
    if (!credential.sealed) return false;
    let opened: string;
    try {
      opened = unseal(credential.sealed);
    } catch {
      // sealed under another pepper (pepper.key replaced or lost): the secret cannot match, a refusal not a 500
      return false;
    }
    const [salt, hash] = opened.split('$');
    const expected = Buffer.from(hash ?? '', 'base64');
    const actual = await scryptAsync(secret, Buffer.from(salt ?? '', 'base64'), credential);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  };
  return {
    hmac: (text: string): string => createHmac('sha256', pepper).update(text, 'utf8').digest('hex'),
    seal,
    unseal,
    /** A salted scrypt hash of a password or PIN, sealed, with its parameters. */
    hash,
    verify,
    /** Spends what a verification spends, for an account that does not exist. */
    async decoy(secret: string): Promise<false> {
      decoy ??= hash('decoy');
      await verify(secret, await decoy);
      return false;
    },
  };
};
