// npm run restore -- <dir> [--force]
// Brings a backup back into DATA_DIR with the backbone stopped: checked, reconciled, read models rebuilt.
import { parseArgs } from 'node:util';
import { isKnownError } from '../src/domain/errors';
import { loadSchemaRegistry } from '../src/app/schemaRegistry';
import { createLogger } from '../src/lib/logger';
import { restoreBackup } from '../src/main/backup/restoreBackup';
import { loadConfig } from '../src/main/config';

const main = async (): Promise<number> => {
  process.umask(0o077);
  const { values, positionals } = parseArgs({
    options: { force: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const [dir, ...rest] = positionals;
  if (!dir || rest.length > 0) {
    process.stderr.write('usage: npm run restore -- <dir> [--force]   (into DATA_DIR; the backbone stopped)\n');
    return 2;
  }
  const schemas = loadSchemaRegistry();
  const config = loadConfig(process.env, schemas);
  const report = await restoreBackup(config, schemas, dir, {
    force: values.force,
    logger: createLogger(config.logLevel),
  });
  const { log, setAside } = report.reconciliation;
  process.stderr.write(
    `restored ${dir} into ${report.dataDir}: the log to position ${Number(log.headPosition ?? 0)} (${log.events} events, copied ${report.manifest.log.copiedAt}); ` +
      `${setAside.length} signed checkpoint(s) past it set aside; record ${report.record}\n`,
  );
  const failed = report.readModels.filter((s) => s.lastError);
  for (const s of failed)
    process.stderr.write(
      `read model ${s.projection} FAILED to rebuild at ${s.lastError?.position}: ${s.lastError?.message}\n`,
    );
  return failed.length > 0 ? 1 : 0;
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `restore failed: ${isKnownError(error) || error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
