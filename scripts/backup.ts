// npm run backup -- <dir>
// An online copy of the data folder (DATA_DIR) into a new folder, with a manifest of sha256 sums.
import { isKnownError } from '../src/domain/errors';
import { loadSchemaRegistry } from '../src/app/schemaRegistry';
import { createLogger } from '../src/lib/logger';
import { takeBackup } from '../src/main/backup/takeBackup';
import { loadConfig } from '../src/main/config';

const main = async (): Promise<number> => {
  // the backup holds the keys: every folder and file it makes is its owner's only
  process.umask(0o077);
  const [dir, ...rest] = process.argv.slice(2);
  if (!dir || rest.length > 0) {
    process.stderr.write(
      'usage: npm run backup -- <dir>   (DATA_DIR and the other variables as the backbone has them)\n',
    );
    return 2;
  }
  const config = loadConfig(process.env, loadSchemaRegistry());
  const manifest = await takeBackup(config, dir, createLogger(config.logLevel));
  process.stderr.write(
    `backup in ${dir}: ${manifest.files.length} files, the log to position ${Number(manifest.log.headPosition ?? 0)} (${manifest.log.events} events, copied ${manifest.log.copiedAt})\n`,
  );
  return 0;
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `backup failed: ${isKnownError(error) || error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
