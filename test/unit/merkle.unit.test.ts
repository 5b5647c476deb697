import { expect } from 'chai';
import { createHash } from 'node:crypto';
import {
  consistencyProof,
  EMPTY_ROOT,
  fromArray,
  inclusionProof,
  leafHash,
  MerkleFrontier,
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
