import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import type { EventStore } from '../app/eventStore';
import type { ProofReader } from '../app/proof/port';
import type { Logger } from '../lib/logger';
import { startNotary, type Notary } from '../adapters/proof/notary';
import { openProofStore, type ProofStore } from '../adapters/proof/proofStore';
import { loadSigningKey, trustedKeys } from '../adapters/proof/signingKey';
import { fileWitness, httpWitness, jetStreamWitness, readWitnessFile, type Witness } from '../adapters/proof/witnesses';
import type { ProofConfig } from './config';

export type RunningProof = {
  notary: Notary;
  reader: ProofReader;
  /** proof.db's connection (its WAL is checkpointed in the background). */
  db: ProofStore['db'];
  stop(): Promise<void>;
};

/** The notary with its key and witnesses: the file always, JetStream when NATS runs, HTTP when configured. */
export const startProof = async (deps: {
  config: ProofConfig;
  dataDir: string;
  store: EventStore;
  logger: Logger;
  nc?: NatsConnection;
}): Promise<RunningProof> => {
  const { config } = deps;
  const key = loadSigningKey(config.signingKeyFile, config.keysDir);
  const witnesses: Witness[] = [
    fileWitness(config.witnessFile),
    ...(deps.nc ? [await jetStreamWitness(deps.nc)] : []),
    ...(config.witnessUrl ? [httpWitness(config.witnessUrl)] : []),
  ];
  const proof = openProofStore(join(deps.dataDir, 'proof.db'));
  const notary = await startNotary(
    { store: deps.store, proof, key, witnesses, logger: deps.logger },
    { everyEvents: config.everyEvents, everyMs: config.everySeconds * 1000 },
  );
  deps.logger.info('log proof on', { keyId: key.keyId, witnesses: witnesses.map((w) => w.name) });
  const reader: ProofReader = {
    latest: () => notary.latest(),
    checkpointAt: (treeSize) => proof.checkpointAt(treeSize),
    leafOfEvent: (eventId) => proof.leafOfEvent(eventId),
    leafSource: proof.leafSource,
    nodeSource: proof.nodeSource,
    leafRecords: proof.leafRecords,
    witnessed: async () => ({ source: config.witnessFile, checkpoints: readWitnessFile(config.witnessFile) }),
    keys: () => trustedKeys(config.keysDir),
    pending: () => notary.pending(),
    caughtUp: () => notary.caughtUp(),
  };
  return { notary, reader, db: proof.db, stop: () => notary.stop() };
};
