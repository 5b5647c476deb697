import { readPages, type EventStore, type RecordedEvent } from '../app/eventStore';
import { signedCheckpoints, type Checkpoint } from '../app/proof/checkpoint';
import { leafText } from '../app/proof/leaf';
import type { ProofReader } from '../app/proof/port';
import { verifyLog } from '../app/proof/verifyLog';
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '../domain/errors';
import { isSecurityStream } from '../domain/security';
import { consistencyProof, inclusionProof } from '../lib/merkle';
import type { Role } from './auth';
import type { RouteSpec } from './routes';

const AUDITORS: Role[] = ['auditor'];

const hex = (hashes: readonly Buffer[]): string[] => hashes.map((h) => h.toString('hex'));

/** The log as stored (not upcast), page by page: what the leaves were made of. */
async function* rawLog(store: EventStore): AsyncGenerator<RecordedEvent> {
  for await (const page of readPages(store, { raw: true })) yield* page.events;
}

/**
 * The log-wide proof for auditors: the newest signed checkpoint and its keys, an inclusion proof of
 * any event and a consistency proof between two checkpoints (RFC 9162, checkable without this
 * code), and the whole log verified against the checkpoints a witness kept.
 */
export const proofRoutes = (deps: {
  store: EventStore;
  proof?: ProofReader;
  /** How long /api/verify/log waits for the notary to read the log to its head before 409 proof-behind. Default 10 s. */
  proofCatchUpMs?: number;
}): RouteSpec[] => {
  const catchUpMs = deps.proofCatchUpMs ?? 10_000;
  const proof = (): ProofReader => {
    if (!deps.proof) throw new NotFoundError('this backbone runs without the log-wide proof');
    return deps.proof;
  };
  const checkpoint = (treeSize: string | undefined): Checkpoint => {
    const found = treeSize ? proof().checkpointAt(Number(treeSize)) : proof().latest();
    if (!found) {
      throw new NotFoundError(treeSize ? `no checkpoint of ${treeSize} events was signed` : 'no checkpoint yet');
    }
    return found;
  };
  return [
    {
      method: 'get',
      path: '/api/proof/checkpoint',
      summary: 'The newest signed checkpoint of the log (tree size, root, time, key id, Ed25519 signature)',
      tag: 'traceability',
      roles: AUDITORS,
      kind: 'trace',
      handle: async () => ({ body: { checkpoint: checkpoint(undefined), pendingWitnesses: proof().pending() } }),
    },
    {
      method: 'get',
      path: '/api/proof/keys',
      summary: 'The public keys checkpoints are signed with (PEM), the current and the rotated ones',
      tag: 'traceability',
      roles: AUDITORS,
      kind: 'trace',
      handle: async () => ({
        body: [...proof().keys()].map(([keyId, key]) => ({
          keyId,
          publicKeyPem: key.export({ type: 'spki', format: 'pem' }).toString(),
        })),
      }),
    },
    {
      method: 'get',
      path: '/api/proof/events/:eventId/inclusion',
      summary: 'An RFC 9162 inclusion proof of one event in a signed checkpoint, with the leaf to recompute',
      tag: 'traceability',
      roles: AUDITORS,
      kind: 'trace',
      query: 'queries/proofInclusion',
      async handle(ctx) {
        const eventId = ctx.params['eventId'] as string;
        const leaf = proof().leafOfEvent(eventId);
        if (!leaf) throw new NotFoundError(`event ${eventId} is not in the proof yet`);
        // separation of duties: the security trail is the audit administrator's, its proof included
        if (isSecurityStream(leaf.streamId))
          throw new ForbiddenError('the security trail is read by the audit administrator', 'security-trail');
        const signed = checkpoint(ctx.query['treeSize']);
        if (leaf.index >= signed.treeSize) {
          throw new IllegalStateError(
            `event ${eventId} is newer than the checkpoint of ${signed.treeSize} events`,
            'not-yet-signed',
          );
        }
        const events = await deps.store.readStream(leaf.streamId, { raw: true });
        const event = events.find((e) => e.id === eventId);
        return {
          body: {
            eventId,
            leafIndex: leaf.index,
            leaf: event ? leafText(event) : null,
            leafHash: leaf.hash.toString('hex'),
            treeSize: signed.treeSize,
            proof: hex(inclusionProof(proof().leafSource, leaf.index, signed.treeSize, proof().nodeSource)),
            checkpoint: signed,
          },
        };
      },
    },
    {
      method: 'get',
      path: '/api/proof/consistency',
      summary: 'An RFC 9162 consistency proof that a later checkpoint extends an earlier one',
      tag: 'traceability',
      roles: AUDITORS,
      kind: 'trace',
      query: 'queries/proofConsistency',
      async handle(ctx) {
        const first = checkpoint(ctx.query['first']);
        const second = checkpoint(ctx.query['second']);
        if (first.treeSize > second.treeSize) {
          throw new ValidationError('the first checkpoint must not be later than the second', [
            { path: '/query/first', message: `must be at most ${second.treeSize}` },
          ]);
        }
        return {
          body: {
            first: first.treeSize,
            second: second.treeSize,
            proof: hex(consistencyProof(proof().leafSource, first.treeSize, second.treeSize, proof().nodeSource)),
            firstCheckpoint: first,
            secondCheckpoint: second,
          },
        };
      },
    },
    {
      method: 'get',
      path: '/api/verify/log',
      summary:
        'The whole log checked against the checkpoints a witness kept: any event rewritten, deleted, re-timed or moved',
      tag: 'traceability',
      roles: AUDITORS,
      kind: 'trace',
      async handle() {
        const reader = proof();
        // the notary reads the log to its head first; one that cannot (a full disk) answers, not hangs
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            reader.caughtUp(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(
                () => reject(new IllegalStateError('the notary has not read the log to its head yet', 'proof-behind')),
                catchUpMs,
              );
            }),
          ]);
        } finally {
          clearTimeout(timer);
        }
        const witnessed = await reader.witnessed();
        const { valid, refused } = signedCheckpoints(witnessed.checkpoints, reader.keys());
        if (valid.length === 0) throw new NotFoundError(`no signed checkpoint at ${witnessed.source} yet`);
        const result = await verifyLog(rawLog(deps.store), valid, reader.leafRecords);
        return { body: { ...result, checkpointSource: witnessed.source, refusedCheckpoints: refused } };
      },
    },
  ];
};
