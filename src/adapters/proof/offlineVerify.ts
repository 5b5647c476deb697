import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publicKeysFrom, signedCheckpoints } from '../../app/proof/checkpoint';
import { verifyLog, type LogVerification } from '../../app/proof/verifyLog';
import { readLogFile } from '../eventstore/sqlite/logFile';
import { openProofStore } from './proofStore';
import { readCheckpointsFrom } from './witnesses';

export type OfflineReport = LogVerification & {
  checkpointSource: string;
  /** Witness entries whose signature did not hold (forged, damaged, or by a key not given). */
  refusedCheckpoints: { treeSize: number; time: string; reason: string }[];
};

/**
 * What `npm run verify` does on a copy of the data folder with the backbone stopped: the log file
 * (and the notary's leaf records when present) against the checkpoints a witness kept, trusting
 * only those signed by the given public keys.
 */
export const verifyDataFolder = async (options: {
  dataDir: string;
  checkpoints: string;
  publicKeyFiles: readonly string[];
}): Promise<OfflineReport> => {
  const logPath = join(options.dataDir, 'events.db');
  if (!existsSync(logPath)) throw new Error(`${logPath} does not exist`);
  const keys = publicKeysFrom(options.publicKeyFiles.map((file) => readFileSync(file, 'utf8')));
  const { valid, refused } = signedCheckpoints(await readCheckpointsFrom(options.checkpoints), keys);
  if (valid.length === 0) {
    throw new Error(
      `no checkpoint from ${options.checkpoints} is signed by the given keys (${refused.length} refused)`,
    );
  }
  const proofPath = join(options.dataDir, 'proof.db');
  const proof = existsSync(proofPath) ? openProofStore(proofPath, { readonly: true }) : undefined;
  try {
    const result = await verifyLog(readLogFile(logPath), valid, proof?.leafRecords);
    return { ...result, checkpointSource: options.checkpoints, refusedCheckpoints: refused };
  } finally {
    proof?.close();
  }
};
