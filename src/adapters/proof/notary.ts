import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStore } from '../../app/eventStore';
import { signCheckpoint, type Checkpoint } from '../../app/proof/checkpoint';
import { leafRecordOf } from '../../app/proof/leaf';
import type { Logger } from '../../lib/logger';
import { MerkleFrontier } from '../../lib/merkle';
import type { ProofStore } from './proofStore';
import type { SigningKey } from './signingKey';
import type { Witness } from './witnesses';

export type NotaryOptions = {
  /** A checkpoint once this many events were added since the last. Default 1000. */
  everyEvents?: number;
  /** And at least this often while the log grows. Default 60 s. */
  everyMs?: number;
  /** How often it looks for new events at the end of the log. Default 250 ms. */
  pollMs?: number;
  /** The first wait before a failed publication is tried again; doubles to 60 s. Default 1 s. */
  retryMs?: number;
};

export type Notary = {
  /** The newest checkpoint signed (published or not yet). */
  latest(): Checkpoint | undefined;
  /** Signs a checkpoint of everything read so far, now, and tries its witnesses once; resolves with it. */
  checkpointNow(): Promise<Checkpoint | undefined>;
  /** Resolves once every event written before the call is a leaf. */
  caughtUp(): Promise<void>;
  /** Publications waiting for a witness, with their attempts and last error. */
  pending(): { witness: string; treeSize: number; attempts: number; lastError: string | null }[];
  stop(): Promise<void>;
};

type Deps = {
  store: EventStore;
  proof: ProofStore;
  key: SigningKey;
  witnesses: readonly Witness[];
  logger: Logger;
  /** The wall clock: checkpoints carry real time even when the demo's clock runs fast. */
  now?: () => Date;
};

/**
 * Leaves read, hashed and written in one turn of the loop (one transaction). Each turn holds the
 * event loop while it works: a thousand held a loaded soak's for 220-265 ms; a quarter of that keeps
 * each turn well under the 100 ms the soak allows, for four times as many (smaller) transactions.
 */
const LEAVES_PER_TURN = 250;

/**
 * Reads the log as stored, in position order, into the Merkle tree's leaves, and every N events or
 * T seconds signs the tree's root (Ed25519) and publishes the checkpoint to each witness, retrying
 * a witness that fails without holding up the others or the log.
 */
export const startNotary = async (deps: Deps, options: NotaryOptions = {}): Promise<Notary> => {
  const everyEvents = options.everyEvents ?? 1000;
  const everyMs = options.everyMs ?? 60_000;
  const pollMs = options.pollMs ?? 250;
  const retryMs = options.retryMs ?? 1000;
  const now = deps.now ?? (() => new Date());
  const { proof, store, logger } = deps;
  const saved = proof.frontier();
  let frontier = saved ? MerkleFrontier.from(saved) : new MerkleFrontier();
  if (frontier.size !== proof.leafCount()) {
    throw new Error(`proof.db is inconsistent: ${proof.leafCount()} leaves, frontier of ${frontier.size}`);
  }
  let position = proof.lastPosition();
  let lastSigned = proof.latestCheckpoint();
  let lastSignedAt = Date.now();
  let stopped = false;
  const witnessByName = new Map(deps.witnesses.map((w) => [w.name, w]));
  const forgotten = proof.forgetWitnessesBut([...witnessByName.keys()]);
  if (forgotten > 0) logger.warn('checkpoints for witnesses no longer configured were forgotten', { forgotten });
  const retryAfter = new Map<string, { at: number; waitMs: number }>();

  const sign = async (): Promise<Checkpoint | undefined> => {
    if (frontier.size === 0 || frontier.size === lastSigned?.treeSize) return undefined;
    const checkpoint = signCheckpoint(
      {
        treeSize: frontier.size,
        rootHash: frontier.root().toString('hex'),
        time: now().toISOString(),
        keyId: deps.key.keyId,
      },
      deps.key.privateKey,
    );
    await proof.saveCheckpoint(checkpoint, [...witnessByName.keys()]);
    lastSigned = checkpoint;
    lastSignedAt = Date.now();
    logger.info('log checkpoint signed', { treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash });
    return checkpoint;
  };

  /** Each witness gets its checkpoints in order: one not yet kept holds back that witness's later ones. */
  const publishPending = async (force: boolean): Promise<void> => {
    const heldBack = new Set<string>();
    for (const row of proof.pending()) {
      const witness = witnessByName.get(row.witness);
      const key = `${row.witness}:${row.tree_size}`;
      const wait = retryAfter.get(key);
      if (!witness || heldBack.has(row.witness)) continue;
      heldBack.add(row.witness);
      if (!force && wait && wait.at > Date.now()) continue;
      const checkpoint = proof.checkpointAt(row.tree_size);
      if (!checkpoint) continue;
      try {
        await witness.publish(checkpoint);
        proof.delivered(row.witness, row.tree_size);
        retryAfter.delete(key);
        heldBack.delete(row.witness);
      } catch (error) {
        const waitMs = Math.min((wait?.waitMs ?? retryMs / 2) * 2, 60_000);
        retryAfter.set(key, { at: Date.now() + waitMs, waitMs });
        proof.failed(row.witness, row.tree_size, (error as Error).message);
        logger.warn('checkpoint not yet kept by a witness', {
          witness: row.witness,
          treeSize: row.tree_size,
          retryInMs: waitMs,
          error: (error as Error).message,
        });
      }
    }
  };

  // the loop and checkpointNow both read and sign: one at a time, so no leaf is added twice
  let turn: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const result = turn.then(work, work);
    turn = result.catch(() => undefined);
    return result;
  };

  /** Reads what the log has past the last leaf; true when it reached the end. */
  const readMore = async (): Promise<boolean> => {
    const page = await store.readAll({ after: position, maxCount: LEAVES_PER_TURN, raw: true });
    if (page.events.length > 0) {
      // the tree grows on a copy, kept only once its leaves are written: a failed write adds nothing twice
      const next = MerkleFrontier.from(frontier.state());
      const records = page.events.map((event) => {
        const record = leafRecordOf(event, next.size);
        next.push(record.hash);
        return record;
      });
      proof.appendLeaves(records, next.state());
      frontier = next;
      position = (page.events[page.events.length - 1] as { position: string }).position;
    }
    if (frontier.size - (lastSigned?.treeSize ?? 0) >= everyEvents) await sign();
    return page.isEnd;
  };

  let caughtUpWaiters: { target: string | undefined; resolve: () => void }[] = [];
  const settleWaiters = () => {
    caughtUpWaiters = caughtUpWaiters.filter((w) => {
      if (w.target === undefined || (position !== undefined && position >= w.target)) {
        w.resolve();
        return false;
      }
      return true;
    });
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        const atEnd = await exclusive(async () => {
          const end = await readMore();
          settleWaiters();
          if (Date.now() - lastSignedAt >= everyMs) await sign();
          await publishPending(false);
          return end;
        });
        if (atEnd) await sleep(pollMs);
      } catch (error) {
        if (stopped) break;
        logger.error('the notary could not read the log; trying again', { error: (error as Error).message });
        await sleep(Math.max(pollMs, 1000));
      }
    }
  })();

  return {
    latest: () => lastSigned,
    checkpointNow: () =>
      exclusive(async () => {
        while (!(await readMore()));
        settleWaiters();
        const checkpoint = (await sign()) ?? lastSigned;
        await publishPending(true);
        return checkpoint;
      }),
    async caughtUp() {
      const target = await store.headPosition();
      await new Promise<void>((resolve) => {
        caughtUpWaiters.push({ target, resolve });
        settleWaiters();
      });
    },
    pending: () =>
      proof.pending().map((row) => ({
        witness: row.witness,
        treeSize: row.tree_size,
        attempts: row.attempts,
        lastError: row.last_error,
      })),
    async stop() {
      stopped = true;
      await loop;
      // a checkpointNow still signing finishes (its checkpoint synced) before the file closes
      await turn;
      for (const w of caughtUpWaiters) w.resolve();
      proof.close();
    },
  };
};
