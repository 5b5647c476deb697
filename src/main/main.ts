import { loadConfig } from './config';
import { startBackbone } from './backbone';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { createLogger, fileDestination } from '../lib/logger';
import { loadSchemaRegistry } from '../app/schemaRegistry';
import { isKnownError } from '../domain/errors';

const main = async (): Promise<void> => {
  // every file and folder this process makes is its owner's only (the log, keys, sessions, backups)
  process.umask(0o077);
  const schemas = loadSchemaRegistry();
  const config = loadConfig(process.env, schemas);
  // read at every full collection, so it holds from here on (README, Configuration: HEAP_GROWING_PERCENT)
  if (config.heapGrowingPercent > 0) setFlagsFromString(`--heap-growing-percent=${config.heapGrowingPercent}`);
  const args = process.argv.slice(2);
  // the demo's terminal shows its progress and summary: its log goes to a file
  const demoLog = args.includes('--demo') ? join(config.dataDir, 'demo.log') : undefined;
  const logger = createLogger(config.logLevel, demoLog ? fileDestination(demoLog, config.logLevel) : undefined);
  // the simulator is loaded only for the demo
  const demo = demoLog
    ? await (await import('./demo')).runDemo(config, schemas, { logger, logFile: demoLog }, args)
    : undefined;
  if (demo && !demo.backbone) return;
  const backbone = demo?.backbone ?? (await startBackbone(config, schemas, logger));
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    backbone.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('unclean stop', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
};

main().catch((error: unknown) => {
  const message = isKnownError(error)
    ? error.message
    : error instanceof Error
      ? (error.stack ?? error.message)
      : String(error);
  process.stderr.write(`cannot start: ${message}\n`);
  process.exit(1);
});
