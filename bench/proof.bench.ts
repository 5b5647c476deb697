// npm run bench:proof [-- --leaves 100000] [--json]
// Inclusion and consistency proofs on a proof.db of many leaves: from the complete subtrees the store
// keeps (O(log n) reads) beside the same proofs hashed from the leaves (O(n)), in the same run.
import { join } from 'node:path';
import { openProofStore } from '../src/adapters/proof/proofStore';
import type { LeafRecord } from '../src/app/proof/leaf';
import { consistencyProof, inclusionProof, leafHash, MerkleFrontier } from '../src/lib/merkle';
import { makeTempDir } from '../test/support/tmp';
import { argNumber, report, result, secondsSince } from './lib/report';

const LEAVES = argNumber('leaves', 100_000);
const CACHED_SAMPLES = 500;
const UNCACHED_SAMPLES = 3;
const temp = makeTempDir('mes-bench-proof-');
const proof = openProofStore(join(temp.dir, 'proof.db'));

/** The leaves as the notary writes them, in batches of its page size. */
const fill = (): void => {
  const frontier = new MerkleFrontier();
  const BATCH = 1000;
  for (let from = 0; from < LEAVES; from += BATCH) {
    const records: LeafRecord[] = [];
    for (let index = from; index < Math.min(LEAVES, from + BATCH); index += 1) {
      const hash = leafHash(`event ${index}`);
      frontier.push(hash);
      records.push({
        index,
        position: String(index + 1).padStart(12, '0'),
        streamId: `order-${index % 997}`,
        revision: Math.floor(index / 997),
        eventId: `e-${index}`,
        recordedAt: '2026-11-30T08:00:00.000Z',
        hash,
      });
    }
    proof.appendLeaves(records, frontier.state());
  }
};

let seed = 7;
const random = (below: number): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed % below;
};

/** Milliseconds per call of `make` over `samples` random arguments; checks each against the other way. */
const timed = (
  samples: number,
  make: (a: number, b: number) => Buffer[],
  check: (a: number, b: number) => Buffer[],
) => {
  const args = Array.from({ length: samples }, () => [random(LEAVES), 1 + random(LEAVES)] as const);
  const started = process.hrtime.bigint();
  const proofs = args.map(([a, b]) => make(a, b));
  const ms = (secondsSince(started) * 1000) / samples;
  // the same bytes either way (outside the timing)
  for (const [i, [a, b]] of args.slice(0, 3).entries()) {
    const same = check(a, b);
    if (proofs[i]?.map((h) => h.toString('hex')).join() !== same.map((h) => h.toString('hex')).join())
      throw new Error(`the proofs differ for ${a}, ${b}`);
  }
  return ms;
};

const main = (): void => {
  const built = process.hrtime.bigint();
  fill();
  const buildMs = secondsSince(built) * 1000;
  const { leafSource, nodeSource } = proof;
  const inclusion = (cached: boolean) => (index: number) =>
    inclusionProof(leafSource, index, LEAVES, cached ? nodeSource : undefined);
  const consistency = (cached: boolean) => (a: number, b: number) =>
    consistencyProof(leafSource, Math.min(a + 1, b), Math.max(a + 1, b), cached ? nodeSource : undefined);
  const inclusionCached = timed(CACHED_SAMPLES, inclusion(true), inclusion(false));
  const inclusionUncached = timed(UNCACHED_SAMPLES, inclusion(false), inclusion(true));
  const consistencyCached = timed(CACHED_SAMPLES, consistency(true), consistency(false));
  const consistencyUncached = timed(UNCACHED_SAMPLES, consistency(false), consistency(true));
  const n = LEAVES.toLocaleString('en-US');
  report(`Proof benchmark: proofs in a tree of ${n} leaves (proof.db filled in ${Math.round(buildMs)} ms)`, [
    result({
      name: `inclusion proof, ${n} leaves, from the kept subtrees`,
      value: inclusionCached,
      unit: 'ms',
      baseline: 'same proof hashed from the leaves',
      baselineValue: inclusionUncached,
      maximumRatio: 0.01,
    }),
    result({
      name: `consistency proof, ${n} leaves, from the kept subtrees`,
      value: consistencyCached,
      unit: 'ms',
      baseline: 'same proof hashed from the leaves',
      baselineValue: consistencyUncached,
      maximumRatio: 0.01,
    }),
  ]);
};

try {
  main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  proof.close();
  temp.remove();
}
