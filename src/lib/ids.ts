import { createHash } from 'node:crypto';

/** The namespace of every name-based id this backbone derives (a fixed, random UUID). */
const NAMESPACE = Buffer.from('6f0c4a3e9b2d4d1f8a7e2c5b1d3f4a6c', 'hex');

/**
 * A UUID version 5 (RFC 4122, SHA-1, name-based): the same name gives the same id, so an input that
 * has an identity (a scan, a device message, an ERP message, a retried command) appends nothing new.
 */
export const deterministicUuid = (name: string): string => {
  const bytes = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
