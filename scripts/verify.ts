import { parseArgs } from 'node:util';
import { verifyDataFolder } from '../src/adapters/proof/offlineVerify';

/**
 * npm run verify -- --data <dir> --checkpoints <file-or-url> --public-key <file> [--public-key <file>...] [--json]
 * Exit 0 when the log reproduces the newest signed checkpoint; 1 when it does not; 2 when it cannot check.
 */
const main = async (): Promise<number> => {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      checkpoints: { type: 'string' },
      'public-key': { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.data || !values.checkpoints || !values['public-key']?.length) {
    process.stderr.write(
      'usage: npm run verify -- --data <dir> --checkpoints <file-or-url> --public-key <file> [--public-key <file>...] [--json]\n',
    );
    return 2;
  }
  const report = await verifyDataFolder({
    dataDir: values.data,
    checkpoints: values.checkpoints,
    publicKeyFiles: values['public-key'],
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const c = report.checkpoint;
    process.stdout.write(
      `checkpoint: ${c.treeSize} events, root ${c.rootHash}, signed ${c.time} by key ${c.keyId} (${report.checkpointSource})\n` +
        `log: ${report.events} events; notary leaf records: ${report.leafRecords}\n`,
    );
    for (const r of report.refusedCheckpoints) {
      process.stdout.write(`REFUSED checkpoint of ${r.treeSize} events (${r.time}): signature ${r.reason}\n`);
    }
    for (const p of report.problems) {
      const where = p.position
        ? `position ${Number(p.position)} ${p.streamId} revision ${p.revision} (${p.eventId})`
        : '';
      process.stdout.write(`${p.kind.toUpperCase()} ${where}: ${p.detail}\n`);
    }
    if (report.problemCount > report.problems.length) {
      process.stdout.write(`... and ${report.problemCount - report.problems.length} more\n`);
    }
    process.stdout.write(report.ok ? 'OK: the log is the one the checkpoint signed\n' : 'NOT OK\n');
  }
  return report.ok && report.refusedCheckpoints.every((r) => r.reason !== 'invalid') ? 0 : 1;
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`cannot verify: ${(error as Error).message}\n`);
    process.exit(2);
  },
);
