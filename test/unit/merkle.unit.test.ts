import { expect } from 'chai';
import { createHash } from 'node:crypto';
import {
  consistencyProof,
  EMPTY_ROOT,
  fromArray,
  inclusionProof,
  leafHash,
  MerkleFrontier,
  type LeafSource,
  type NodeSource,
  nodeHash,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from '../../src/lib/merkle';

// The leaves and roots of the Certificate Transparency reference test data (RFC 6962 / 9162 trees).
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** MTH written straight from the RFC's recursive definition, to check the folded versions against. */
const naiveRoot = (hashes: readonly Buffer[]): Buffer => {
  if (hashes.length === 0) return createHash('sha256').digest();
  if (hashes.length === 1) return hashes[0] as Buffer;
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return nodeHash(naiveRoot(hashes.slice(0, k)), naiveRoot(hashes.slice(k)));
};

const leaves = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => leafHash(`event ${i}`));

describe('Merkle tree (RFC 9162)', () => {
  it('reproduces the Certificate Transparency reference roots for 1 to 8 leaves', () => {
    const hashes = CT_LEAVES.map((hex) => leafHash(Buffer.from(hex, 'hex')));
    for (const [i, expected] of CT_ROOTS.entries()) {
      expect(rootOf(fromArray(hashes), 0, i + 1).toString('hex'), `root of ${i + 1}`).to.equal(expected);
    }
    expect(rootOf(fromArray(hashes), 0, 0).equals(EMPTY_ROOT)).to.equal(true);
  });

  it('keeps the same root incrementally as the recursive definition for every size up to 70', () => {
    const all = leaves(70);
    const frontier = new MerkleFrontier();
    for (let n = 1; n <= all.length; n += 1) {
      frontier.push(all[n - 1] as Buffer);
      expect(frontier.root().equals(naiveRoot(all.slice(0, n))), `size ${n}`).to.equal(true);
    }
  });

  it('proves every leaf of every tree up to 33 leaves, and refuses a proof for another leaf or root', () => {
    const all = leaves(33);
    const source = fromArray(all);
    for (let size = 1; size <= all.length; size += 1) {
      const root = rootOf(source, 0, size);
      for (let index = 0; index < size; index += 1) {
        const proof = inclusionProof(source, index, size);
        expect(verifyInclusion(all[index] as Buffer, index, size, proof, root), `${index} of ${size}`).to.equal(true);
        if (size > 1) {
          const other = (index + 1) % size;
          expect(verifyInclusion(all[other] as Buffer, index, size, proof, root)).to.equal(false);
        }
        expect(verifyInclusion(all[index] as Buffer, index, size, proof, leafHash('another root'))).to.equal(false);
      }
    }
  });

  it('proves every earlier tree a prefix of every later one up to 33 leaves, and refuses a changed history', () => {
    const all = leaves(33);
    const source = fromArray(all);
    const rewritten = [...all];
    rewritten[2] = leafHash('rewritten');
    for (let second = 1; second <= all.length; second += 1) {
      const secondRoot = rootOf(source, 0, second);
      for (let first = 1; first <= second; first += 1) {
        const proof = consistencyProof(source, first, second);
        const firstRoot = rootOf(source, 0, first);
        expect(verifyConsistency(first, second, firstRoot, secondRoot, proof), `${first} to ${second}`).to.equal(true);
        if (first > 2 && first < second) {
          // a log rewritten at leaf 2 after the first checkpoint cannot prove it extends it
          const forged = consistencyProof(fromArray(rewritten), first, second);
          const forgedRoot = rootOf(fromArray(rewritten), 0, second);
          expect(verifyConsistency(first, second, firstRoot, forgedRoot, forged)).to.equal(false);
        }
      }
    }
  });
});

/**
 * The RFC 9162 proofs written straight from the recursive definitions (PATH and SUBPROOF) over the
 * leaf hashes, to compare with; the subtree roots memoized so hundreds of trees stay quick.
 */
const naiveProofs = (hashes: readonly Buffer[]) => {
  const roots = new Map<string, Buffer>();
  const mth = (from: number, to: number): Buffer => {
    const key = `${from}:${to}`;
    let root = roots.get(key);
    if (!root) {
      root = naiveRoot(hashes.slice(from, to));
      roots.set(key, root);
    }
    return root;
  };
  const splitOf = (n: number): number => {
    let k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  };
  const path = (m: number, from: number, to: number): Buffer[] => {
    if (to - from <= 1) return [];
    const k = splitOf(to - from);
    return m < k
      ? [...path(m, from, from + k), mth(from + k, to)]
      : [...path(m - k, from + k, to), mth(from, from + k)];
  };
  const subproof = (m: number, from: number, to: number, whole: boolean): Buffer[] => {
    if (m === to - from) return whole ? [] : [mth(from, to)];
    const k = splitOf(to - from);
    return m <= k
      ? [...subproof(m, from, from + k, whole), mth(from + k, to)]
      : [...subproof(m - k, from + k, to, false), mth(from, from + k)];
  };
  return {
    inclusion: (index: number, size: number) => path(index, 0, size),
    consistency: (first: number, second: number) => subproof(first, 0, second, true),
  };
};

/** A node cache as the frontier fills it, and sources that count what a proof reads. */
const cached = (hashes: readonly Buffer[]) => {
  const frontier = new MerkleFrontier();
  const kept = new Map<string, Buffer>();
  for (const hash of hashes) for (const node of frontier.push(hash)) kept.set(`${node.level}/${node.index}`, node.hash);
  const reads = { leaves: 0, nodes: 0 };
  const leafSource: LeafSource = (from, to) => {
    reads.leaves += to - from;
    return hashes.slice(from, to);
  };
  const nodeSource: NodeSource = (level, index) => {
    reads.nodes += 1;
    return kept.get(`${level}/${index}`);
  };
  return { kept, reads, leafSource, nodeSource };
};

const hexes = (hashes: readonly Buffer[]): string[] => hashes.map((h) => h.toString('hex'));

describe('Merkle proofs from the complete subtrees kept as leaves are added', () => {
  it('keeps exactly the complete subtrees, each the root of its leaves', () => {
    const all = leaves(37);
    const { kept } = cached(all);
    // 18 + 9 + 4 + 2 + 1 complete subtrees of 2, 4, 8, 16 and 32 leaves in 37
    expect(kept.size).to.equal(34);
    for (const [at, hash] of kept) {
      const [level, index] = at.split('/').map(Number) as [number, number];
      const width = 2 ** level;
      expect(hash.equals(naiveRoot(all.slice(index * width, (index + 1) * width))), at).to.equal(true);
    }
  });

  it('gives the RFC 9162 / Certificate Transparency reference proofs', () => {
    const hashes = CT_LEAVES.map((hex) => leafHash(Buffer.from(hex, 'hex')));
    const { leafSource, nodeSource } = cached(hashes);
    const inclusion: [number, number, string[]][] = [
      [0, 1, []],
      [
        0,
        8,
        [
          '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
          '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
          '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
        ],
      ],
      [
        5,
        8,
        [
          'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
          'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
          'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
        ],
      ],
      [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
      [
        1,
        5,
        [
          '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
          '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
          'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
        ],
      ],
    ];
    for (const [index, size, expected] of inclusion)
      expect(hexes(inclusionProof(leafSource, index, size, nodeSource)), `${index} of ${size}`).to.deep.equal(expected);
    const consistency: [number, number, string[]][] = [
      [1, 1, []],
      [
        1,
        8,
        [
          '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
          '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
          '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
        ],
      ],
      [
        6,
        8,
        [
          '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
          'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
          'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
        ],
      ],
      [
        2,
        5,
        [
          '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
          'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
        ],
      ],
    ];
    for (const [first, second, expected] of consistency)
      expect(hexes(consistencyProof(leafSource, first, second, nodeSource)), `${first} to ${second}`).to.deep.equal(
        expected,
      );
  });

  it('answers the same proofs as the straightforward computation for every leaf and tree up to 100 leaves', () => {
    const all = leaves(100);
    const { leafSource, nodeSource } = cached(all);
    const naive = naiveProofs(all);
    for (let size = 1; size <= all.length; size += 1) {
      for (let index = 0; index < size; index += 1) {
        const expected = hexes(naive.inclusion(index, size));
        expect(hexes(inclusionProof(leafSource, index, size, nodeSource)), `${index} of ${size}`).to.deep.equal(
          expected,
        );
        // and the same as the uncached computation (O(n) each: the smaller trees)
        if (size <= 40)
          expect(hexes(inclusionProof(fromArray(all), index, size)), `uncached ${index} of ${size}`).to.deep.equal(
            expected,
          );
      }
      for (let first = 1; first <= size; first += 1) {
        expect(hexes(consistencyProof(leafSource, first, size, nodeSource)), `${first} to ${size}`).to.deep.equal(
          hexes(naive.consistency(first, size)),
        );
      }
    }
  });

  it('answers the same proofs for random sizes up to 5,000 leaves, reading O(log n) hashes instead of every leaf', () => {
    const all = leaves(5_000);
    const { leafSource, nodeSource, reads } = cached(all);
    const naive = naiveProofs(all);
    let seed = 42;
    const random = (below: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % below;
    };
    for (let round = 0; round < 60; round += 1) {
      const size = 1 + random(all.length);
      const index = random(size);
      const first = 1 + random(size);
      reads.leaves = 0;
      reads.nodes = 0;
      const proof = inclusionProof(leafSource, index, size, nodeSource);
      expect(hexes(proof), `${index} of ${size}`).to.deep.equal(hexes(naive.inclusion(index, size)));
      // at most a leaf and two lookups per level, where the uncached proof reads all `size` leaves
      const levels = Math.ceil(Math.log2(size)) + 1;
      expect(reads.leaves + reads.nodes, `reads for ${index} of ${size}`).to.be.at.most(3 * levels);
      reads.leaves = 0;
      reads.nodes = 0;
      expect(hexes(consistencyProof(leafSource, first, size, nodeSource)), `${first} to ${size}`).to.deep.equal(
        hexes(naive.consistency(first, size)),
      );
      expect(reads.leaves + reads.nodes, `reads for ${first} to ${size}`).to.be.at.most(3 * levels);
    }
  });

  it('falls back to the leaves for a subtree the cache does not have', () => {
    const all = leaves(77);
    const { leafSource } = cached(all);
    const naive = naiveProofs(all);
    const nothing: NodeSource = () => undefined;
    for (const [index, size] of [
      [0, 77],
      [40, 77],
      [76, 77],
      [5, 64],
    ] as const)
      expect(hexes(inclusionProof(leafSource, index, size, nothing))).to.deep.equal(
        hexes(naive.inclusion(index, size)),
      );
  });
});
