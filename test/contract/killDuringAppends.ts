import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { readPages, type EventStore, type RecordedEvent } from '../../src/app/eventStore';
import type { EventStoreSpec } from '../../src/main/createEventStore';

const CHILD = resolve(__dirname, '../support/appendChild.ts');

export type KillReport = {
  acked: number;
  stored: number;
  missingAcked: string[];
  partialBatches: string[];
  brokenChains: string[];
};

/** Starts a writer process on the same store, SIGKILLs it mid-append, then audits what is stored. */
export const killDuringAppends = async (
  spec: EventStoreSpec,
  store: EventStore,
  options: { acksBeforeKill: number; batchSize: number },
): Promise<KillReport> => {
  const prefix = `kill${randomUUID().slice(0, 8)}`;
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', CHILD, JSON.stringify(spec), prefix, String(options.batchSize)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const acked = new Map<string, string[]>();
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const [word, batch, ids] = line.split(' ');
    if (word === 'ack' && batch && ids) acked.set(batch, ids.split(','));
    if (acked.size >= options.acksBeforeKill) {
      child.kill('SIGKILL');
      break;
    }
  }
  await exited;

  const stored: RecordedEvent[] = [];
  for await (const page of readPages(store, { maxCount: 5000, filter: { streamPrefixes: [`${prefix}-`] } }))
    stored.push(...page.events);
  const storedIds = new Set(stored.map((e) => e.id));
  const perBatch = new Map<string, number>();
  for (const event of stored) {
    const batch = String(event.data['batch']);
    perBatch.set(batch, (perBatch.get(batch) ?? 0) + 1);
  }
  const streams = [...new Set(stored.map((e) => e.streamId))];
  const brokenChains: string[] = [];
  for (const stream of streams) {
    if (!(await store.verifyStream(stream)).ok) brokenChains.push(stream);
  }
  return {
    acked: acked.size,
    stored: stored.length,
    missingAcked: [...acked.values()].flat().filter((id) => !storedIds.has(id)),
    partialBatches: [...perBatch].filter(([, count]) => count !== options.batchSize).map(([batch]) => batch),
    brokenChains,
  };
};
