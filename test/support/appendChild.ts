// A writer process for the crash test: appends batches in several concurrent loops and prints a
// line for each batch only after its append is acknowledged. The parent kills it with SIGKILL.
import { randomUUID } from 'node:crypto';
import { writeSync } from 'node:fs';
import { createEventStore, type EventStoreSpec } from '../../src/main/createEventStore';
import { counted, createTestCodec } from './events';

const main = async (): Promise<void> => {
  const spec = JSON.parse(process.argv[2] as string) as EventStoreSpec;
  const prefix = process.argv[3] as string;
  const batchSize = Number(process.argv[4]);
  const store = await createEventStore(spec, createTestCodec());
  writeSync(1, 'ready\n');
  const loop = async (lane: number): Promise<never> => {
    for (let i = 0; ; i += 1) {
      const batch = randomUUID();
      const events = Array.from({ length: batchSize }, (_, k) => counted(i * batchSize + k, { batch }));
      await store.append(`${prefix}-${lane}`, events);
      writeSync(1, `ack ${batch} ${events.map((e) => e.id).join(',')}\n`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, (_, lane) => loop(lane)));
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
