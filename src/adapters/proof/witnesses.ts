import { closeSync, fsyncSync, openSync, readFileSync, writeSync, existsSync } from 'node:fs';
import { DiscardPolicy, RetentionPolicy, StorageType, type NatsConnection } from 'nats';
import { asCheckpoint, type Checkpoint } from '../../app/proof/checkpoint';

/** Somewhere outside the database a checkpoint is published to. `publish` throws until it is kept. */
export type Witness = {
  name: string;
  publish(checkpoint: Checkpoint): Promise<void>;
};

/** An append-only file of checkpoints, one JSON per line, fsynced before the publication counts. */
export const fileWitness = (path: string): Witness => ({
  name: `file:${path}`,
  async publish(checkpoint) {
    const fd = openSync(path, 'a', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(checkpoint)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
});

/** The checkpoints in a witness file; lines that are not checkpoints are skipped, not trusted. */
export const readWitnessFile = (path: string): Checkpoint[] =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .flatMap((line) => {
          if (line.trim() === '') return [];
          try {
            const checkpoint = asCheckpoint(JSON.parse(line));
            return checkpoint ? [checkpoint] : [];
          } catch {
            return [];
          }
        })
    : [];

export const PROOF_STREAM = 'MES_PROOF';
export const PROOF_SUBJECT = 'mes.proof.checkpoints';

/**
 * A JetStream stream that refuses deletes and purges (deny_delete, deny_purge): once the broker has
 * a checkpoint, the backbone's host cannot take it back. Publications carry the tree size as their
 * message id, so a retry is stored once.
 */
export const jetStreamWitness = async (nc: NatsConnection): Promise<Witness> => {
  const jsm = await nc.jetstreamManager();
  const config = {
    name: PROOF_STREAM,
    subjects: [PROOF_SUBJECT],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    deny_delete: true,
    deny_purge: true,
  };
  try {
    await jsm.streams.info(PROOF_STREAM);
  } catch {
    await jsm.streams.add(config);
  }
  const js = nc.jetstream();
  return {
    name: `jetstream:${PROOF_STREAM}`,
    async publish(checkpoint) {
      await js.publish(PROOF_SUBJECT, JSON.stringify(checkpoint), { msgID: `checkpoint:${checkpoint.treeSize}` });
    },
  };
};

/** An HTTP endpoint that keeps checkpoints: POST with an Idempotency-Key; any 2xx is kept. */
export const httpWitness = (url: string, timeoutMs = 10_000): Witness => ({
  name: `http:${new URL(url).origin}`,
  async publish(checkpoint) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `checkpoint:${checkpoint.treeSize}` },
      body: JSON.stringify(checkpoint),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`the witness answered ${response.status}`);
  },
});

/** Checkpoints from a witness file, or from a URL answering a checkpoint, a JSON array of them, or JSON lines. */
export const readCheckpointsFrom = async (source: string): Promise<Checkpoint[]> => {
  if (!/^https?:\/\//.test(source)) return readWitnessFile(source);
  const response = await fetch(source, { signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new Error(`${source} answered ${response.status}`);
  const text = await response.text();
  const values: unknown[] = (() => {
    try {
      const parsed: unknown = JSON.parse(text);
      return Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
    } catch {
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line): unknown => {
          try {
            return JSON.parse(line);
          } catch {
            return undefined;
          }
        });
    }
  })();
  return values.flatMap((value) => {
    const checkpoint = asCheckpoint(value);
    return checkpoint ? [checkpoint] : [];
  });
};
