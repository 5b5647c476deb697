// The backbone in a process of its own started with --expose-gc, for a test that measures its heap:
// it sends its port when listening, then answers 'heap' with the heap used after a full collection.
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { createLogger } from '../../src/lib/logger';
import { startBackbone } from '../../src/main/backbone';
import { loadConfig } from '../../src/main/config';

export type GcBackboneReply = { port: number } | { heapUsed: number; openSubscriptions: number | undefined };

const collect = (globalThis as { gc?: () => void }).gc;

const main = async (): Promise<void> => {
  if (!collect || !process.send) throw new Error('run with --expose-gc and an IPC channel');
  const send = (reply: GcBackboneReply): boolean => (process.send as (m: unknown) => boolean)(reply);
  const schemas = loadSchemaRegistry();
  const backbone = await startBackbone(loadConfig(process.env, schemas), schemas, createLogger('error'));
  process.on('message', (message: string) => {
    if (message === 'heap') {
      // twice: what the first collection frees by finalizers the second takes
      collect();
      collect();
      const store = backbone.store as { openSubscriptions?: number };
      send({ heapUsed: process.memoryUsage().heapUsed, openSubscriptions: store.openSubscriptions });
    }
    if (message === 'stop') void backbone.close().then(() => process.exit(0));
  });
  send({ port: backbone.port });
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
