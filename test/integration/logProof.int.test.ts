import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { verifyDataFolder } from '../../src/adapters/proof/offlineVerify';
import { openProofStore } from '../../src/adapters/proof/proofStore';
import { readWitnessFile } from '../../src/adapters/proof/witnesses';
import { eventLeafHash } from '../../src/app/proof/leaf';
import type { EventMetadata, RecordedEvent } from '../../src/app/eventStore';
import {
  leafHash,
  rootOf,
  verifyConsistency,
  verifyInclusion,
  inclusionProof,
  consistencyProof,
} from '../../src/lib/merkle';
import {
  attacks,
  buildProvedLog,
  expectDetected,
  rechainStream,
  runAttack,
  type Attack,
  type LogPosition,
  type ProvedLog,
  type Row,
} from '../support/logAttacks';
import { makeTempDir } from '../support/tmp';

describe('Log-wide proof: signed Merkle checkpoints at a witness catch what a stream chain cannot', function () {
  this.timeout(120_000);
  const temp = makeTempDir('mes-proof-');
  let log: ProvedLog;
  let data = '';
  let witnessPath = '';
  let keyId = '';
  let positions: LogPosition[] = [];
  const publicKey = () => log.publicKey();
  const copy = (name: string): string => log.copy(name);
  const verify = (dir: string) => log.verify(dir);

  before(async () => {
    // three checkpoints: after 12, 24 and 36 events, each stream's events interleaved in the log
    log = await buildProvedLog(temp.dir, { checkpoints: 3, perCheckpoint: 12 });
    ({ data, witnessPath, keyId, positions } = log);
  });
  after(() => temp.remove());

  it('keeps the signing key readable by its owner only, and every checkpoint at the witness', () => {
    expect(statSync(join(data, 'proof-signing.key')).mode & 0o777).to.equal(0o600);
    expect(readWitnessFile(witnessPath).map((c) => c.treeSize)).to.deep.equal([12, 24, 36]);
  });

  it('verifies an untouched copy against the witness', async () => {
    const report = await verify(copy('clean'));
    expect(report.ok, JSON.stringify(report.problems)).to.equal(true);
    expect(report.events).to.equal(36);
    expect(report.checkpoint.treeSize).to.equal(36);
    expect(report.leafRecords).to.equal('authenticated');
  });

  it('names an event rewritten with its stream chain recomputed, which the stream check passes', async () => {
    const attack = attacks()[0] as Attack;
    expectDetected(log, attack, await runAttack(log, attack, 'rewritten'));
  });

  it('names the events deleted from the end of the log with sqlite_sequence corrected', async () => {
    const attack = attacks()[1] as Attack;
    expectDetected(log, attack, await runAttack(log, attack, 'deleted'));
  });

  it('names an event re-timed (recorded_at moved across an asOf)', async () => {
    const attack = attacks()[2] as Attack;
    expectDetected(log, attack, await runAttack(log, attack, 'retimed'));
  });

  it('names two events whose positions were swapped', async () => {
    const attack = attacks()[3] as Attack;
    expectDetected(log, attack, await runAttack(log, attack, 'reordered'));
  });

  it('locates a change between two checkpoints when the notary records were rewritten too', async () => {
    const dir = copy('both');
    const victim = positions[15] as (typeof positions)[number];
    const db = new Database(join(dir, 'events.db'));
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify({ n: -1 }), victim.position);
    rechainStream(db, victim.streamId);
    const rows = db.prepare<[], Row & { recorded_at: string }>('SELECT * FROM events ORDER BY position').all();
    db.close();
    const proofDb = new Database(join(dir, 'proof.db'));
    for (const [index, row] of rows.entries()) {
      const event: RecordedEvent = {
        id: row.id,
        type: row.type,
        data: JSON.parse(row.data) as Record<string, unknown>,
        metadata: JSON.parse(row.metadata) as EventMetadata,
        streamId: row.stream_id,
        revision: row.revision,
        position: String(row.position).padStart(20, '0'),
        recordedAt: row.recorded_at,
      };
      proofDb.prepare('UPDATE leaves SET hash = ? WHERE idx = ?').run(eventLeafHash(event), index);
    }
    proofDb.close();
    const report = await verify(dir);
    expect(report.leafRecords).to.equal('not-matching');
    expect(report.problems.map((p) => [p.kind, p.detail.split(' do not')[0]])).to.deep.equal([
      ['altered-range', 'events 13 to 24 of the log'],
    ]);
  });

  it('refuses a forged checkpoint at the witness and trusts only the signed ones', async () => {
    const forgedWitness = join(temp.dir, 'forged.jsonl');
    writeFileSync(forgedWitness, readFileSync(witnessPath));
    appendFileSync(
      forgedWitness,
      `${JSON.stringify({ treeSize: 36, rootHash: 'a'.repeat(64), time: new Date().toISOString(), keyId, signature: Buffer.alloc(64).toString('base64') })}\n`,
    );
    const report = await verifyDataFolder({
      dataDir: copy('forged'),
      checkpoints: forgedWitness,
      publicKeyFiles: [publicKey()],
    });
    expect(report.refusedCheckpoints.map((r) => r.reason)).to.deep.equal(['invalid']);
    expect(report.ok).to.equal(true);
  });

  it('gives inclusion and consistency proofs an RFC 9162 verifier accepts against the signed roots', () => {
    const proof = openProofStore(join(data, 'proof.db'), { readonly: true });
    try {
      const [first, , last] = readWitnessFile(witnessPath);
      const leaf = proof.leafOfEvent((positions[20] as { id: string }).id);
      expect(leaf?.index).to.equal(20);
      const path = inclusionProof(proof.leafSource, 20, 36);
      expect(
        verifyInclusion(leaf?.hash as Buffer, 20, 36, path, Buffer.from(last?.rootHash as string, 'hex')),
      ).to.equal(true);
      const consistency = consistencyProof(proof.leafSource, 12, 36);
      expect(
        verifyConsistency(
          12,
          36,
          Buffer.from(first?.rootHash as string, 'hex'),
          Buffer.from(last?.rootHash as string, 'hex'),
          consistency,
        ),
      ).to.equal(true);
      expect(rootOf(proof.leafSource, 0, 36).toString('hex')).to.equal(last?.rootHash);
      expect(verifyInclusion(leafHash('forged'), 20, 36, path, Buffer.from(last?.rootHash as string, 'hex'))).to.equal(
        false,
      );
    } finally {
      proof.close();
    }
  });

  it('runs offline from the command line: exit 0 on the untouched copy, 1 naming the re-timed event', async () => {
    const run = promisify(execFile);
    const args = (dir: string) => [
      '-r',
      'ts-node/register/transpile-only',
      'scripts/verify.ts',
      '--data',
      dir,
      '--checkpoints',
      witnessPath,
      '--public-key',
      publicKey(),
    ];
    const clean = await run(process.execPath, args(join(temp.dir, 'clean')));
    expect(clean.stdout).to.contain('OK: the log is the one the checkpoint signed');
    const failed = await run(process.execPath, args(join(temp.dir, 'retimed'))).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed?.code).to.equal(1);
    expect(failed?.stdout).to.match(/RETIMED position 5 /);
  });
});
