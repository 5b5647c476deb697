import { loadConfig } from './config';
import { startBackbone } from './backbone';
import { createLogger } from '../lib/logger';
import { loadSchemaRegistry } from '../app/schemaRegistry';
import { isKnownError } from '../domain/errors';

const main = async (): Promise<void> => {
  const schemas = loadSchemaRegistry();
  const config = loadConfig(process.env, schemas);
  const logger = createLogger(config.logLevel);
  const args = process.argv.slice(2);
  // the simulator is loaded only for the demo
  const demo = args.includes('--demo')
    ? await (await import('./demo')).runDemo(config, schemas, logger, args)
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
