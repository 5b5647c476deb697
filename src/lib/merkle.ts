import { createHash } from 'node:crypto';

/**
 * A Merkle tree over a log as RFC 9162 (Certificate Transparency 2.0, section 2.1) defines it:
 * leaf hash = SHA-256(0x00 || leaf), node hash = SHA-256(0x01 || left || right), and the tree of n
 * leaves splits at k, the largest power of two below n. Any RFC 9162 implementation recomputes the
 * same roots and checks the same proofs, so an auditor does not need this code.
 */

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

export const leafHash = (leaf: Uint8Array | string): Buffer => createHash('sha256').update(LEAF).update(leaf).digest();

export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer =>
  createHash('sha256').update(NODE).update(left).update(right).digest();

/** The largest power of two strictly below n (n > 1). */
const split = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** Leaf hashes by index: an array, or a reader over a store (indexes from..to, exclusive). */
export type LeafSource = (from: number, to: number) => readonly Buffer[];

export const fromArray =
  (hashes: readonly Buffer[]): LeafSource =>
  (from, to) =>
    hashes.slice(from, to);

/** MTH of the leaves [from, to): folds perfect subtrees as it reads, so memory stays O(log n). */
export const rootOf = (leaves: LeafSource, from: number, to: number): Buffer => {
  if (to <= from) return EMPTY_ROOT;
  const frontier = new MerkleFrontier();
  const PAGE = 4096;
  for (let at = from; at < to; at += PAGE) {
    for (const hash of leaves(at, Math.min(to, at + PAGE))) frontier.push(hash);
  }
  return frontier.root();
};

/**
 * The hash of a complete subtree, if known: level l, index i covers leaves [i * 2^l, (i + 1) * 2^l)
 * (level 1 and up; level 0 are the leaves). Such a hash never changes once the subtree is complete
 * (RFC 9162), so it can be kept as the leaves are added and read instead of re-hashed.
 */
export type NodeSource = (level: number, index: number) => Buffer | undefined;

/** A completed subtree's hash, as the frontier makes it. */
export type MerkleNode = { level: number; index: number; hash: Buffer };

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/**
 * MTH of the leaves [from, to), its complete aligned subtrees read from `nodes` when given: a range a
 * proof asks for splits into O(log n) of them. Without `nodes`, or one it does not have, from the leaves.
 */
export const subtreeRoot = (leaves: LeafSource, from: number, to: number, nodes?: NodeSource): Buffer => {
  const n = to - from;
  if (!nodes || n <= 1) return rootOf(leaves, from, to);
  if (isPowerOfTwo(n) && from % n === 0) return nodes(Math.log2(n), from / n) ?? rootOf(leaves, from, to);
  const k = split(n);
  return nodeHash(subtreeRoot(leaves, from, from + k, nodes), subtreeRoot(leaves, from + k, to, nodes));
};

/**
 * Audit path of leaf `index` in the tree of the first `size` leaves (RFC 9162 2.1.3.1); with `nodes`,
 * O(log n) lookups instead of hashing the leaves.
 */
export const inclusionProof = (leaves: LeafSource, index: number, size: number, nodes?: NodeSource): Buffer[] => {
  if (!(index >= 0 && index < size)) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  const path = (m: number, from: number, to: number): Buffer[] => {
    const n = to - from;
    if (n <= 1) return [];
    const k = split(n);
    return m < k
      ? [...path(m, from, from + k), subtreeRoot(leaves, from + k, to, nodes)]
      : [...path(m - k, from + k, to), subtreeRoot(leaves, from, from + k, nodes)];
  };
  return path(index, 0, size);
};

/** Consistency proof between the trees of the first `first` and `second` leaves (RFC 9162 2.1.4.1); `nodes` as above. */
export const consistencyProof = (leaves: LeafSource, first: number, second: number, nodes?: NodeSource): Buffer[] => {
  if (!(first > 0 && first <= second)) throw new RangeError(`no consistency proof from ${first} to ${second}`);
  const subproof = (m: number, from: number, to: number, whole: boolean): Buffer[] => {
    const n = to - from;
    if (m === n) return whole ? [] : [subtreeRoot(leaves, from, to, nodes)];
    const k = split(n);
    return m <= k
      ? [...subproof(m, from, from + k, whole), subtreeRoot(leaves, from + k, to, nodes)]
      : [...subproof(m - k, from + k, to, false), subtreeRoot(leaves, from, from + k, nodes)];
  };
  return subproof(first, 0, second, true);
};

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/**
 * RFC 9162's walk up a proof path from node `fn` of a tree whose last node is `sn`: each hash joins
 * from the left (the node is a right child, or the last of its level) or from the right. False when
 * the path does not end at the root.
 */
const walkPath = (
  start: number,
  last: number,
  path: readonly Buffer[],
  join: (hash: Buffer, fromLeft: boolean) => void,
): boolean => {
  let fn = start;
  let sn = last;
  for (const p of path) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      join(p, true);
      if (!isOdd(fn)) {
        do {
          fn = half(fn);
          sn = half(sn);
        } while (!isOdd(fn) && fn !== 0);
      }
    } else {
      join(p, false);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0;
};

/** RFC 9162 2.1.3.2: whether `proof` shows the leaf hash at `index` in the tree of `size` with `root`. */
export const verifyInclusion = (
  hash: Buffer,
  index: number,
  size: number,
  proof: readonly Buffer[],
  root: Buffer,
): boolean => {
  if (!(index >= 0 && index < size)) return false;
  let r = hash;
  const ended = walkPath(index, size - 1, proof, (p, fromLeft) => {
    r = fromLeft ? nodeHash(p, r) : nodeHash(r, p);
  });
  return ended && r.equals(root);
};

/** RFC 9162 2.1.4.2: whether `proof` shows the tree of `first` leaves is a prefix of the tree of `second`. */
export const verifyConsistency = (
  first: number,
  second: number,
  firstRoot: Buffer,
  secondRoot: Buffer,
  proof: readonly Buffer[],
): boolean => {
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (!(first > 0 && first < second) || proof.length === 0) return false;
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Buffer;
  let sr = fr;
  const ended = walkPath(fn, sn, path.slice(1), (c, fromLeft) => {
    if (fromLeft) fr = nodeHash(c, fr);
    sr = fromLeft ? nodeHash(c, sr) : nodeHash(sr, c);
  });
  return ended && fr.equals(firstRoot) && sr.equals(secondRoot);
};

export type FrontierState = { hashes: string[]; sizes: number[] };

/**
 * The tree's right edge: one hash per perfect subtree, largest first. Appending a leaf merges equal
 * subtrees (O(log n)), and the root folds them from the right, which is MTH's split at the largest
 * power of two. What a notary keeps to sign a growing log without re-reading it.
 */
export class MerkleFrontier {
  private readonly hashes: Buffer[] = [];
  private readonly sizes: number[] = [];
  size = 0;

  /** The frontier saved by `state()`. */
  static from(state: FrontierState): MerkleFrontier {
    const frontier = new MerkleFrontier();
    for (const [i, hex] of state.hashes.entries()) {
      frontier.hashes.push(Buffer.from(hex, 'hex'));
      frontier.sizes.push(state.sizes[i] as number);
    }
    frontier.size = state.sizes.reduce((a, b) => a + b, 0);
    return frontier;
  }

  state(): FrontierState {
    return { hashes: this.hashes.map((h) => h.toString('hex')), sizes: [...this.sizes] };
  }

  /** Adds a leaf hash; answers the subtrees it completed (level 1 and up), to keep as a NodeSource. */
  push(hash: Buffer): MerkleNode[] {
    const completed: MerkleNode[] = [];
    let h = hash;
    let s = 1;
    let level = 0;
    this.size += 1;
    while (this.sizes.length > 0 && this.sizes[this.sizes.length - 1] === s) {
      this.sizes.pop();
      h = nodeHash(this.hashes.pop() as Buffer, h);
      s *= 2;
      level += 1;
      completed.push({ level, index: this.size / s - 1, hash: h });
    }
    this.hashes.push(h);
    this.sizes.push(s);
    return completed;
  }

  root(): Buffer {
    if (this.hashes.length === 0) return EMPTY_ROOT;
    let r = this.hashes[this.hashes.length - 1] as Buffer;
    for (let i = this.hashes.length - 2; i >= 0; i -= 1) r = nodeHash(this.hashes[i] as Buffer, r);
    return r;
  }
}
