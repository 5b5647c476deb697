import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { verifyDataFolder } from '../../src/adapters/proof/offlineVerify';
import { createSqliteCheckpointStore } from '../../src/adapters/checkpoints/sqliteCheckpointStore';
import { startNotary } from '../../src/adapters/proof/notary';
import { openProofStore } from '../../src/adapters/proof/proofStore';
import { loadSigningKey } from '../../src/adapters/proof/signingKey';
import { fileWitness } from '../../src/adapters/proof/witnesses';
import { reconcile } from '../../src/main/backup/reconcile';
import { createSqliteReadStore } from '../../src/adapters/readstore/sqliteReadStore';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { createLogger } from '../../src/lib/logger';
import type { Manifest } from '../../src/main/backup/manifest';
import { restoreBackup } from '../../src/main/backup/restoreBackup';
import { takeBackup } from '../../src/main/backup/takeBackup';
import { loadConfig } from '../../src/main/config';
import { createProjections } from '../../src/projections';
import { rebuildReadModels } from '../../src/projections/manager';
import { generatePlant } from '../../bench/lib/plantGenerator';
import { client, makeKeys } from '../support/apiClient';
import { startBackboneProcess, type BackboneProcess } from '../support/backboneProcess';
import { orderSpec } from '../support/fixtures';
import { openPlantStore } from '../support/plantDay';
import { dumpReadModels, TEST_PLANT } from '../support/readStoreDump';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';

const logger = createLogger('error');
const schemas = loadSchemaRegistry();

/** Runs `npm run backup` or `npm run restore` as the package script does. */
const runScript = (
  script: 'backup' | 'restore',
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> =>
  new Promise((done) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', resolve(__dirname, `../../scripts/${script}.ts`), ...args],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => done({ code, stderr }));
  });

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

type Ack = { streamId: string; revision: number; at: number };

describe('backup and restore', function () {
  this.timeout(300_000);
  const temp = makeTempDir('mes-backup-');
  const keys = makeKeys(temp.dir);
  let backbone: BackboneProcess | undefined;
  after(async () => {
    await backbone?.stop('SIGTERM');
    temp.remove();
  });

  it('a backup taken while commands pour in holds every event acknowledged before it began; restored, the read models are a rebuild of the log', async () => {
    const witnessFile = join(temp.dir, 'witness.jsonl');
    const env = (dataDir: string) => ({
      DATA_DIR: dataDir,
      API_KEYS_FILE: keys.file,
      PROOF_WITNESS_FILE: witnessFile,
      PROOF_CHECKPOINT_EVENTS: '25',
      LOG_LEVEL: 'error',
    });
    const dataDir = join(temp.dir, 'data');
    const backupDir = join(temp.dir, 'backup');
    backbone = await startBackboneProcess(env(dataDir));
    const api = client(backbone.baseUrl, keys.tokens);

    const acks: Ack[] = [];
    let stopping = false;
    const worker = async (w: number): Promise<void> => {
      const { source: _source, ...spec } = orderSpec({ dueDate: '2027-12-01T00:00:00Z' });
      for (let n = 0; !stopping; n += 1) {
        const orderId = `BK-${w}-${n}`;
        for (const [path, body] of [
          ['/api/orders', { orderId, ...spec }],
          [`/api/orders/${orderId}/release`, {}],
        ] as const) {
          const answer = await api.call('POST', path, { body });
          if (answer.status >= 300) throw new Error(`${path}: ${answer.status} ${answer.text}`);
          const { streamId, revision } = answer.body as { streamId: string; revision: number };
          acks.push({ streamId, revision, at: Date.now() });
        }
      }
    };
    const workers = Array.from({ length: 6 }, (_, w) => worker(w));
    await waitFor(() => acks.length >= 60, 'some orders acknowledged', 60_000);

    const backupStarted = Date.now();
    const backup = await runScript('backup', [backupDir], env(dataDir));
    const backupEnded = Date.now();
    expect(backup.code, backup.stderr).to.equal(0);
    const before = acks.filter((a) => a.at < backupStarted);
    expect(
      acks.filter((a) => a.at >= backupStarted && a.at <= backupEnded).length,
      'commands acknowledged while the backup ran',
    ).to.be.greaterThan(0);

    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8')) as Manifest;
    expect(mode(backupDir), 'the backup folder').to.equal('700');
    for (const file of manifest.files) expect(mode(join(backupDir, file.name)), file.name).to.equal('600');
    expect(mode(join(backupDir, 'manifest.json'))).to.equal('600');
    const names = manifest.files.map((f) => f.name);
    expect(names).to.include.members([
      'data/events.db',
      'data/checkpoints.db',
      'data/proof.db',
      'data/sessions.db',
      'data/api.db',
      'data/readmodels.db',
      'data/card-keys.json',
      'data/pepper.key',
      'data/proof-signing.key',
      'external/proof-witness/witness.jsonl',
      'external/api-keys/keys.json',
    ]);
    expect(names[names.length - 1], 'the log copied last').to.equal('data/events.db');
    expect(manifest.log.events).to.be.at.least(before.length);

    // the witness keeps checkpoints signed after the backup: the restored log will be shorter than they are
    await waitFor(
      () =>
        readFileSync(witnessFile, 'utf8')
          .trim()
          .split('\n')
          .some((line) => (JSON.parse(line) as { treeSize: number }).treeSize > manifest.log.events),
      'a checkpoint past the backup at the witness',
      60_000,
    );
    stopping = true;
    await Promise.all(workers);
    expect(await backbone.stop('SIGTERM')).to.equal(0);
    backbone = undefined;

    const restoredDir = join(temp.dir, 'restored');
    const restore = await runScript('restore', [backupDir], env(restoredDir));
    expect(restore.code, restore.stderr).to.equal(0);
    expect(restore.stderr).to.match(/signed checkpoint\(s\) past it set aside/);
    const recordName = readdirSync(restoredDir).find((name) => /^restore-.*\.json$/.test(name)) as string;
    const record = JSON.parse(readFileSync(join(restoredDir, recordName), 'utf8')) as {
      log: { events: number };
      setAside: { from: string; checkpoint: { treeSize: number } }[];
    };
    expect(record.log.events, 'the restored log is the copy').to.equal(manifest.log.events);
    expect(record.setAside.length, 'checkpoints past the restored log set aside').to.be.greaterThan(0);
    expect(
      record.setAside.every((s) => s.from === 'witness-file' && s.checkpoint.treeSize > record.log.events),
    ).to.equal(true);
    // an auditor: the backup verifies against the witness as it was then; the restored log against the witness now
    // lacks the events signed after the backup
    const publicKeys = readdirSync(join(backupDir, 'data/proof-keys')).map((f) =>
      join(backupDir, 'data/proof-keys', f),
    );
    const ofBackup = await verifyDataFolder({
      dataDir: join(backupDir, 'data'),
      checkpoints: join(backupDir, 'external/proof-witness/witness.jsonl'),
      publicKeyFiles: publicKeys,
    });
    expect(ofBackup.ok, JSON.stringify(ofBackup.problems)).to.equal(true);
    const ofRestored = await verifyDataFolder({
      dataDir: restoredDir,
      checkpoints: witnessFile,
      publicKeyFiles: publicKeys,
    });
    expect(ofRestored.ok).to.equal(false);
    expect(ofRestored.problems[0]).to.include({ kind: 'deleted', index: manifest.log.events });
    expect(mode(restoredDir)).to.equal('700');
    expect(mode(join(restoredDir, 'card-keys.json'))).to.equal('600');

    backbone = await startBackboneProcess(env(restoredDir));
    const restoredApi = client(backbone.baseUrl, keys.tokens);
    const missing: Ack[] = [];
    for (const ack of before) {
      const events = (await restoredApi.get(`/api/streams/${ack.streamId}/events`)).body as { revision: number }[];
      if (!Array.isArray(events) || !events.some((e) => e.revision === ack.revision)) missing.push(ack);
    }
    expect(missing, 'acknowledged before the backup, not in the restored log').to.deep.equal([]);
    // the read models catch up with the restored log (and what the start itself wrote)
    await waitFor(
      async () => {
        const ready = (await restoredApi.get('/ready', null)).body as { projections: { lagEvents: number | null }[] };
        return ready.projections.every((p) => p.lagEvents === 0);
      },
      'the read models to catch up',
      60_000,
    );
    expect(await backbone.stop('SIGTERM')).to.equal(0);
    backbone = undefined;

    const store = openPlantStore(restoredDir);
    const live = createSqliteReadStore(join(restoredDir, 'readmodels.db'));
    const rebuilt = createSqliteReadStore(join(temp.dir, 'rebuilt.db'));
    await rebuildReadModels({ store, readStore: rebuilt, logger }, createProjections(TEST_PLANT), () => undefined);
    const restoredDocs = await dumpReadModels(live);
    expect(restoredDocs['wip.orders'], 'orders in the restored read models').to.have.length.of.at.least(
      new Set(before.map((a) => a.streamId)).size,
    );
    expect(restoredDocs).to.deep.equal(await dumpReadModels(rebuilt));
    await Promise.all([live.close(), rebuilt.close(), store.close()]);
  });

  it('copies an open log with the commits still in its WAL; a restore refuses files that differ from the manifest, and a data folder that is not empty unless --force moves its contents aside', async () => {
    const dataDir = join(temp.dir, 'small');
    const store = openPlantStore(dataDir);
    const written = await generatePlant(store, { events: 300, machines: 3 });
    writeFileSync(join(dataDir, 'card.key'), `${'ab'.repeat(32)}\n`, { mode: 0o600 });
    const backupDir = join(temp.dir, 'small-backup');
    // the log open, its latest commits still in the WAL: the copy holds them
    expect(statSync(join(dataDir, 'events.db-wal')).size, 'commits in the WAL').to.be.greaterThan(0);
    const manifest = await takeBackup(loadConfig({ DATA_DIR: dataDir }, schemas), backupDir, logger);
    expect(manifest.log.events).to.equal(written);
    expect(manifest.log.headPosition).to.equal(await store.headPosition());
    await store.close();

    const tampered = join(temp.dir, 'small-tampered');
    cpSync(backupDir, tampered, { recursive: true });
    const keyFile = join(tampered, 'data/card.key');
    writeFileSync(keyFile, `${'cd'.repeat(32)}\n`);
    const target = join(temp.dir, 'small-restored');
    const refused = await runScript('restore', [tampered], { DATA_DIR: target });
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(/does not match its manifest/);
    expect(refused.stderr).to.include('data/card.key: sha256');
    expect(existsSync(target) ? readdirSync(target) : [], 'nothing restored').to.deep.equal([]);

    // a manifest naming a file outside the backup is refused before anything is read
    const forged = join(temp.dir, 'small-forged');
    cpSync(backupDir, forged, { recursive: true });
    const forgedManifest = JSON.parse(readFileSync(join(forged, 'manifest.json'), 'utf8')) as Manifest;
    forgedManifest.files.push({
      ...(forgedManifest.files[0] as Manifest['files'][number]),
      name: 'data/../../outside',
    });
    writeFileSync(join(forged, 'manifest.json'), JSON.stringify(forgedManifest));
    const forgedRun = await runScript('restore', [forged], { DATA_DIR: target });
    expect(forgedRun.code).to.equal(1);
    expect(forgedRun.stderr).to.match(/data\/\.\.\/\.\.\/outside.* is not a file of this backup/);
    expect(existsSync(target) ? readdirSync(target) : [], 'nothing restored').to.deep.equal([]);

    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'notes.txt'), 'something already here\n');
    const config = loadConfig({ DATA_DIR: target }, schemas);
    let error: Error | undefined;
    await restoreBackup(config, schemas, backupDir, { logger }).catch((e: Error) => (error = e));
    expect(error?.message).to.match(/is not empty: restore into an empty folder, or pass --force/);
    expect(readdirSync(target)).to.deep.equal(['notes.txt']);

    const report = await restoreBackup(config, schemas, backupDir, { logger, force: true });
    expect(report.replacedTo && readdirSync(report.replacedTo)).to.deep.equal(['notes.txt']);
    expect(report.reconciliation.log.events).to.equal(manifest.log.events);
    expect(readFileSync(join(target, 'card.key'), 'utf8')).to.equal(`${'ab'.repeat(32)}\n`);
    expect(report.readModels.every((s) => s.lastError === null)).to.equal(true);

    // a backbone still running on the folder: --force is refused, nothing moved
    const running = new Database(join(target, 'events.db'));
    running.pragma('journal_mode = WAL');
    running.prepare('SELECT count(*) FROM events').get();
    let inUse: Error | undefined;
    await restoreBackup(config, schemas, backupDir, { logger, force: true }).catch((e: Error) => (inUse = e));
    running.close();
    expect(inUse?.message).to.match(/is in use: stop the backbone before restoring/);
    expect(readdirSync(target)).to.include('events.db');
  });

  it('brings files newer than the restored log back in line with it: checkpoints moved back, the notary’s records and the checkpoints past it set aside', async () => {
    const dir = join(temp.dir, 'newer');
    const store = openPlantStore(dir);
    await generatePlant(store, { events: 200, machines: 3 });
    const earlierLog = join(temp.dir, 'earlier-events.db');
    await store.db.backup(earlierLog);
    const earlierHead = (await store.headPosition()) as string;
    await generatePlant(store, { events: 200, machines: 3 });
    const head = (await store.headPosition()) as string;
    const witnessFile = join(dir, 'checkpoints.witness.jsonl');
    const notary = await startNotary(
      {
        store,
        proof: openProofStore(join(dir, 'proof.db')),
        key: loadSigningKey(join(dir, 'proof-signing.key'), join(dir, 'proof-keys')),
        witnesses: [fileWitness(witnessFile)],
        logger,
      },
      { everyEvents: 50 },
    );
    await notary.checkpointNow();
    await notary.stop();
    const checkpoints = createSqliteCheckpointStore(join(dir, 'checkpoints.db'));
    await checkpoints.save('dispatch', head);
    await checkpoints.save('quality-loop', '00000000000000000005');
    await checkpoints.close();
    await store.close();
    // the log as it was earlier beside the rest as it is now: what a copy made file by file can give
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `events.db${suffix}`), { force: true });
    cpSync(earlierLog, join(dir, 'events.db'));

    const result = reconcile(dir, witnessFile, 'test', logger, new Date());
    const earlierEvents = Number(earlierHead);
    expect(result.log).to.deep.equal({ headPosition: earlierHead, events: earlierEvents });
    expect(result.checkpointsMoved).to.deep.equal([
      { file: 'checkpoints.db', name: 'dispatch', from: head, to: earlierHead },
    ]);
    expect(result.proofRecordsSetAside).to.equal('proof.db.set-aside-test');
    expect(existsSync(join(dir, 'proof.db'))).to.equal(false);
    const sizes = (from: string) => result.setAside.filter((s) => s.from === from).map((s) => s.checkpoint.treeSize);
    expect(sizes('proof.db'), 'from proof.db').to.have.length.greaterThan(0);
    expect(sizes('witness-file'), 'from the witness file').to.deep.equal(sizes('proof.db'));
    expect([...sizes('proof.db')].every((size) => size > earlierEvents)).to.equal(true);
    const reopened = createSqliteCheckpointStore(join(dir, 'checkpoints.db'));
    expect(await reopened.load('dispatch')).to.equal(earlierHead);
    expect(await reopened.load('quality-loop')).to.equal('00000000000000000005');
    await reopened.close();
  });
});
