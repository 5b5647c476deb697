import { expect } from 'chai';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { startNotary } from '../../src/adapters/proof/notary';
import { openProofStore, type ProofStore } from '../../src/adapters/proof/proofStore';
import { loadSigningKey } from '../../src/adapters/proof/signingKey';
import type { Checkpoint } from '../../src/app/proof/checkpoint';
import { createLogger } from '../../src/lib/logger';
import { consistencyProof, inclusionProof, rootOf, verifyConsistency, verifyInclusion } from '../../src/lib/merkle';
import { counted, createTestCodec, uniqueStream } from '../support/events';
import { makeTempDir } from '../support/tmp';

const hexes = (hashes: readonly Buffer[]): string[] => hashes.map((h) => h.toString('hex'));

/** Complete subtrees of 2, 4, 8... leaves in a tree of n. */
const completeSubtrees = (n: number): number => {
  let count = 0;
  for (let width = 2; width <= n; width *= 2) count += Math.floor(n / width);
  return count;
};

describe('proof.db keeps the complete subtrees as the notary adds leaves (SQLite)', function () {
  this.timeout(120_000);
  const temp = makeTempDir('mes-proof-nodes-');
  const path = join(temp.dir, 'proof.db');
  let checkpoints: Checkpoint[] = [];

  before(async () => {
    const store = createSqliteEventStore({ path: join(temp.dir, 'events.db'), codec: createTestCodec() });
    const notary = await startNotary(
      {
        store,
        proof: openProofStore(path),
        key: loadSigningKey(join(temp.dir, 'proof-signing.key'), join(temp.dir, 'keys')),
        witnesses: [],
        logger: createLogger('error'),
      },
      { everyEvents: 1_000_000, everyMs: 3_600_000, pollMs: 20 },
    );
    // batches of odd sizes, so subtrees complete across the notary's writes
    for (const batch of [1, 6, 37, 90, 5, 161]) {
      for (let i = 0; i < batch; i += 1) await store.append(uniqueStream(), [counted(i)]);
      const signed = await notary.checkpointNow();
      if (signed) checkpoints.push(signed);
    }
    await notary.stop();
    await store.close();
    checkpoints = checkpoints.filter((c, i, all) => all.findIndex((d) => d.treeSize === c.treeSize) === i);
  });
  after(() => temp.remove());

  /** Every proof from the cache equals the one from the leaves alone, and checks against the signed roots. */
  const proofsAgree = (proof: ProofStore): void => {
    const { leafSource, nodeSource } = proof;
    for (const checkpoint of checkpoints) {
      const size = checkpoint.treeSize;
      const root = Buffer.from(checkpoint.rootHash, 'hex');
      expect(rootOf(leafSource, 0, size).equals(root), `root of ${size}`).to.equal(true);
      for (let index = 0; index < size; index += 7) {
        const cachedPath = inclusionProof(leafSource, index, size, nodeSource);
        expect(hexes(cachedPath), `${index} of ${size}`).to.deep.equal(hexes(inclusionProof(leafSource, index, size)));
        const leaf = leafSource(index, index + 1)[0] as Buffer;
        expect(verifyInclusion(leaf, index, size, cachedPath, root), `${index} of ${size} verifies`).to.equal(true);
      }
      for (const earlier of checkpoints.filter((c) => c.treeSize <= size)) {
        const cachedProof = consistencyProof(leafSource, earlier.treeSize, size, nodeSource);
        expect(hexes(cachedProof)).to.deep.equal(hexes(consistencyProof(leafSource, earlier.treeSize, size)));
        const earlierRoot = Buffer.from(earlier.rootHash, 'hex');
        expect(verifyConsistency(earlier.treeSize, size, earlierRoot, root, cachedProof)).to.equal(true);
      }
    }
  };
  const nodeCount = (file: string): number => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM nodes').get()?.n ?? 0;
    } finally {
      db.close();
    }
  };

  it('has every complete subtree of the 300 leaves, and proofs from them equal those from the leaves', () => {
    expect(checkpoints.map((c) => c.treeSize)).to.deep.equal([1, 7, 44, 134, 139, 300]);
    expect(nodeCount(path)).to.equal(completeSubtrees(300));
    const proof = openProofStore(path, { readonly: true });
    try {
      proofsAgree(proof);
    } finally {
      proof.close();
    }
  });

  it('fills the cache of a proof.db from before it at the first open, and reads one without it as before', () => {
    const older = join(temp.dir, 'older.db');
    copyFileSync(path, older);
    const db = new Database(older);
    db.exec("DROP TABLE nodes; DELETE FROM meta WHERE key = 'nodes_through'");
    db.close();
    // an auditor's read-only copy of the older file: no node cache, proofs from the leaves
    const readOnly = openProofStore(older, { readonly: true });
    try {
      expect(readOnly.nodeSource(1, 0)).to.equal(undefined);
      proofsAgree(readOnly);
    } finally {
      readOnly.close();
    }
    // the notary's open: the cache is built once from the leaves
    openProofStore(older).close();
    expect(nodeCount(older)).to.equal(completeSubtrees(300));
    const upgraded = openProofStore(older, { readonly: true });
    try {
      proofsAgree(upgraded);
    } finally {
      upgraded.close();
    }
  });
});
