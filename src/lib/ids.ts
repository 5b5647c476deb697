import { createHash, hash } from 'node:crypto';

/** The namespace of every name-based id this backbone derives (a fixed, random UUID). */
const NAMESPACE = Buffer.from('6f0c4a3e9b2d4d1f8a7e2c5b1d3f4a6c', 'hex');

/** The namespace, then the name written after it: hashed in one call, without a Hash object per id. */
const scratch = Buffer.alloc(1_024);
NAMESPACE.copy(scratch);
/** The longest name (in UTF-16 units) sure to fit in `scratch` however it encodes: 3 bytes per unit at most. */
const SCRATCH_NAME = Math.floor((scratch.length - NAMESPACE.length) / 3);

/**
 * A UUID version 5 (RFC 4122, SHA-1, name-based): the same name gives the same id, so an input that
 * has an identity (a scan, a device message, an ERP message, a retried command) appends nothing new.
 */
export const deterministicUuid = (name: string): string => {
  // crypto.hash, one call, is about 1 us faster than createHash's object and three calls (an event's id in
  // every append); a longer name, which might not fit, goes the longer way
  const bytes =
    name.length <= SCRATCH_NAME
      ? hash('sha1', scratch.subarray(0, NAMESPACE.length + scratch.write(name, NAMESPACE.length, 'utf8')), 'buffer')
      : createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
