import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../../lib/canonicalJson';

/**
 * A signed statement of the log's tree at one moment: any later tree must prove itself an extension
 * of it, and any copy of the log must reproduce its root.
 */
export type Checkpoint = {
  /** The number of events (leaves) the tree covers. */
  treeSize: number;
  /** RFC 9162 root of those leaves, hex. */
  rootHash: string;
  /** When the notary signed it (ISO 8601, UTC). */
  time: string;
  /** Which signing key: the first 16 hex digits of SHA-256 over the public key (SPKI DER). */
  keyId: string;
  /** Ed25519 over the canonical JSON of the other four members, base64. */
  signature: string;
};

export type UnsignedCheckpoint = Omit<Checkpoint, 'signature'>;

export const signedText = (checkpoint: UnsignedCheckpoint): string =>
  canonicalJson({
    treeSize: checkpoint.treeSize,
    rootHash: checkpoint.rootHash,
    time: checkpoint.time,
    keyId: checkpoint.keyId,
  });

export const keyIdOf = (publicKey: KeyObject): string =>
  createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);

export const signCheckpoint = (checkpoint: UnsignedCheckpoint, privateKey: KeyObject): Checkpoint => ({
  ...checkpoint,
  signature: sign(null, Buffer.from(signedText(checkpoint)), privateKey).toString('base64'),
});

/** Public keys by key id, from PEM texts (rotation keeps the old ones here). */
export const publicKeysFrom = (pems: readonly string[]): Map<string, KeyObject> =>
  new Map(
    pems.map((pem) => {
      const key = createPublicKey(pem);
      return [keyIdOf(key), key];
    }),
  );

const HEX64 = /^[0-9a-f]{64}$/;

/** A value read from a witness, if it has a checkpoint's shape (anything else is not trusted). */
export const asCheckpoint = (value: unknown): Checkpoint | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const c = value as Record<string, unknown>;
  return Number.isSafeInteger(c.treeSize) &&
    (c.treeSize as number) >= 0 &&
    typeof c.rootHash === 'string' &&
    HEX64.test(c.rootHash) &&
    typeof c.time === 'string' &&
    typeof c.keyId === 'string' &&
    typeof c.signature === 'string'
    ? {
        treeSize: c.treeSize as number,
        rootHash: c.rootHash,
        time: c.time,
        keyId: c.keyId,
        signature: c.signature,
      }
    : undefined;
};

/** Whether a known key signed the checkpoint: `unknown-key` when none of the keys has its id. */
export const checkSignature = (
  checkpoint: Checkpoint,
  keys: ReadonlyMap<string, KeyObject>,
): 'valid' | 'invalid' | 'unknown-key' => {
  const key = keys.get(checkpoint.keyId);
  if (!key) return 'unknown-key';
  const ok = verify(null, Buffer.from(signedText(checkpoint)), key, Buffer.from(checkpoint.signature, 'base64'));
  return ok ? 'valid' : 'invalid';
};

/** Checkpoints whose signature holds; the others are named (a forged or damaged witness entry is a finding). */
export const signedCheckpoints = (
  candidates: readonly Checkpoint[],
  keys: ReadonlyMap<string, KeyObject>,
): { valid: Checkpoint[]; refused: { treeSize: number; time: string; reason: 'invalid' | 'unknown-key' }[] } => {
  const valid: Checkpoint[] = [];
  const refused: { treeSize: number; time: string; reason: 'invalid' | 'unknown-key' }[] = [];
  for (const checkpoint of candidates) {
    const result = checkSignature(checkpoint, keys);
    if (result === 'valid') valid.push(checkpoint);
    else refused.push({ treeSize: checkpoint.treeSize, time: checkpoint.time, reason: result });
  }
  return { valid, refused };
};
