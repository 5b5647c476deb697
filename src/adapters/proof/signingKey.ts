import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyIdOf, publicKeysFrom } from '../../app/proof/checkpoint';
import { ValidationError } from '../../domain/errors';

export type SigningKey = { privateKey: KeyObject; publicKey: KeyObject; keyId: string; publicPem: string };

const refuse = (path: string, message: string): never => {
  throw new ValidationError(`the checkpoint signing key ${path} ${message}`, [
    { path: '/env/PROOF_SIGNING_KEY_FILE', message },
  ]);
};

/**
 * The notary's Ed25519 key: read from `path` (PKCS#8 PEM, readable by its owner only), or made there
 * with mode 0600 on the first start. Its public key is written to `keysDir/<keyId>.pem`, so the
 * folder keeps every key the notary has signed with: rotating (a new key file) keeps the old
 * checkpoints verifiable.
 */
export const loadSigningKey = (path: string, keysDir: string): SigningKey => {
  if (!existsSync(path)) {
    const pair = generateKeyPairSync('ed25519');
    writeFileSync(path, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  }
  if ((statSync(path).mode & 0o077) !== 0) refuse(path, 'must be readable by its owner only (chmod 600)');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path));
  } catch (cause) {
    return refuse(path, `is not a PEM private key: ${(cause as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') refuse(path, 'must be an Ed25519 key');
  const publicKey = createPublicKey(privateKey);
  const keyId = keyIdOf(publicKey);
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  const publicPath = join(keysDir, `${keyId}.pem`);
  if (!existsSync(publicPath)) writeFileSync(publicPath, publicPem, { mode: 0o644 });
  return { privateKey, publicKey, keyId, publicPem };
};

/** Every public key in the folder (the current and the rotated ones), by key id. */
export const trustedKeys = (keysDir: string): Map<string, KeyObject> =>
  existsSync(keysDir)
    ? publicKeysFrom(
        readdirSync(keysDir)
          .filter((name) => name.endsWith('.pem'))
          .map((name) => readFileSync(join(keysDir, name), 'utf8')),
      )
    : new Map<string, KeyObject>();
