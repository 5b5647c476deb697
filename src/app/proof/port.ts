import type { KeyObject } from 'node:crypto';
import type { LeafSource, NodeSource } from '../../lib/merkle';
import type { Checkpoint } from './checkpoint';
import type { LeafRecord } from './leaf';
import type { LeafRecords } from './verifyLog';

/** What the API reads of the log-wide proof (the notary and its records, the witnesses, the keys). */
export type ProofReader = {
  /** The newest checkpoint the notary signed. */
  latest(): Checkpoint | undefined;
  checkpointAt(treeSize: number): Checkpoint | undefined;
  leafOfEvent(eventId: string): LeafRecord | undefined;
  leafSource: LeafSource;
  /** The complete subtrees' hashes, kept as leaves are added: proofs read O(log n) of them instead of hashing the leaves. */
  nodeSource?: NodeSource;
  leafRecords: LeafRecords;
  /** The checkpoints as a witness outside the database kept them (the file witness). */
  witnessed(): Promise<{ source: string; checkpoints: Checkpoint[] }>;
  /** Public keys by key id: the current one and those rotated out. */
  keys(): Map<string, KeyObject>;
  /** Publications a witness has not confirmed yet. */
  pending(): { witness: string; treeSize: number; attempts: number; lastError: string | null }[];
  /** Resolves once every event written so far is a leaf (tests and the verify route wait on it). */
  caughtUp(): Promise<void>;
};
