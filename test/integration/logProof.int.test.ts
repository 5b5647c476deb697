import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { createSqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { computeEventHash } from '../../src/adapters/eventstore/hashChain';
import { startNotary } from '../../src/adapters/proof/notary';
import { verifyDataFolder } from '../../src/adapters/proof/offlineVerify';
import { openProofStore } from '../../src/adapters/proof/proofStore';
import { loadSigningKey } from '../../src/adapters/proof/signingKey';
import { fileWitness, readWitnessFile } from '../../src/adapters/proof/witnesses';
import { eventLeafHash } from '../../src/app/proof/leaf';
import type { EventMetadata, RecordedEvent } from '../../src/app/eventStore';
import { createLogger } from '../../src/lib/logger';
import {
  leafHash,
  rootOf,
  verifyConsistency,
  verifyInclusion,
  inclusionProof,
  consistencyProof,
} from '../../src/lib/merkle';
import { counted, createTestCodec } from '../support/events';
import { makeTempDir } from '../support/tmp';

type Row = {
  position: number;
  stream_id: string;
  revision: number;
  id: string;
  type: string;
  data: string;
  metadata: string;
};

/** What an attacker with write access to the file does to make a change pass the stream's own chain. */
const rechainStream = (db: Database.Database, streamId: string): void => {
  const rows = db.prepare<[string], Row>('SELECT * FROM events WHERE stream_id = ? ORDER BY revision').all(streamId);
  let prevHash = '0'.repeat(64);
  for (const row of rows) {
    const { hash: _old, ...metadata } = { ...(JSON.parse(row.metadata) as EventMetadata), prevHash };
    const hash = computeEventHash({
      streamId: row.stream_id,
      revision: row.revision,
      id: row.id,
      type: row.type,
      data: JSON.parse(row.data),
      metadata,
    });
    db.prepare('UPDATE events SET metadata = ? WHERE position = ?').run(
      JSON.stringify({ ...metadata, hash }),
      row.position,
    );
    prevHash = hash;
  }
};

describe('Log-wide proof: signed Merkle checkpoints at a witness catch what a stream chain cannot', function () {
  this.timeout(120_000);
  const temp = makeTempDir('mes-proof-');
  const data = join(temp.dir, 'data');
  const witnessPath = join(temp.dir, 'witness', 'checkpoints.jsonl');
  const publicKey = () => join(data, 'proof-keys', `${keyId}.pem`);
  const streams = ['order-A', 'order-B', 'lot-C'];
  let keyId = '';
  let positions: { position: number; streamId: string; revision: number; id: string }[] = [];

  /** A copy of the data folder to attack, as an auditor would receive it. */
  const copy = (name: string): string => {
    const dir = join(temp.dir, name);
    cpSync(data, dir, { recursive: true });
    return dir;
  };
  const verify = (dir: string) =>
    verifyDataFolder({ dataDir: dir, checkpoints: witnessPath, publicKeyFiles: [publicKey()] });

  before(async () => {
    mkdirSync(join(temp.dir, 'witness'), { recursive: true });
    mkdirSync(data, { recursive: true });
    const store = createSqliteEventStore({ path: join(data, 'events.db'), codec: createTestCodec() });
    const key = loadSigningKey(join(data, 'proof-signing.key'), join(data, 'proof-keys'));
    keyId = key.keyId;
    const notary = await startNotary(
      {
        store,
        proof: openProofStore(join(data, 'proof.db')),
        key,
        witnesses: [fileWitness(witnessPath)],
        logger: createLogger('error'),
      },
      { everyEvents: 1_000_000, everyMs: 3_600_000 },
    );
    // three checkpoints: after 12, 24 and 36 events, each stream's events interleaved in the log
    for (let batch = 0; batch < 3; batch += 1) {
      for (let i = 0; i < 12; i += 1) await store.append(streams[i % 3] as string, [counted(batch * 12 + i)]);
      await notary.checkpointNow();
    }
    await notary.stop();
    await store.close();
    const db = new Database(join(data, 'events.db'), { readonly: true });
    positions = db
      .prepare<[], { position: number; stream_id: string; revision: number; id: string }>(
        'SELECT position, stream_id, revision, id FROM events ORDER BY position',
      )
      .all()
      .map((r) => ({ position: r.position, streamId: r.stream_id, revision: r.revision, id: r.id }));
    db.close();
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
    const dir = copy('rewritten');
    const victim = positions[10] as (typeof positions)[number];
    const db = new Database(join(dir, 'events.db'));
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify({ n: 999 }), victim.position);
    rechainStream(db, victim.streamId);
    db.close();
    const store = createSqliteEventStore({ path: join(dir, 'events.db'), codec: createTestCodec() });
    expect((await store.verifyStream(victim.streamId)).ok, 'the stream chain alone').to.equal(true);
    await store.close();
    const report = await verify(dir);
    expect(report.ok).to.equal(false);
    // the rewritten event, and the later events of its stream whose hashes the attacker had to change
    const named = report.problems.map((p) => [p.kind, Number(p.position), p.streamId]);
    expect(named[0]).to.deep.equal(['rewritten', victim.position, victim.streamId]);
    expect(report.problems.every((p) => p.kind === 'rewritten' && p.streamId === victim.streamId)).to.equal(true);
  });

  it('names the events deleted from the end of the log with sqlite_sequence corrected', async () => {
    const dir = copy('deleted');
    const db = new Database(join(dir, 'events.db'));
    db.prepare('DELETE FROM events WHERE position > 33').run();
    db.prepare("UPDATE sqlite_sequence SET seq = 33 WHERE name = 'events'").run();
    db.close();
    const report = await verify(dir);
    expect(report.ok).to.equal(false);
    expect(report.problems.map((p) => [p.kind, Number(p.position), p.streamId])).to.deep.equal(
      positions.slice(33).map((p) => ['deleted', p.position, p.streamId]),
    );
  });

  it('names an event re-timed (recorded_at moved across an asOf)', async () => {
    const dir = copy('retimed');
    const db = new Database(join(dir, 'events.db'));
    db.prepare("UPDATE events SET recorded_at = '2020-01-01T00:00:00.000Z' WHERE position = 5").run();
    db.close();
    const report = await verify(dir);
    expect(report.problems.map((p) => [p.kind, Number(p.position), p.streamId])).to.deep.equal([
      ['retimed', 5, positions[4]?.streamId],
    ]);
  });

  it('names two events whose positions were swapped', async () => {
    const dir = copy('reordered');
    const db = new Database(join(dir, 'events.db'));
    db.exec(
      'UPDATE events SET position = -7 WHERE position = 7; UPDATE events SET position = 7 WHERE position = 8; UPDATE events SET position = 8 WHERE position = -7;',
    );
    db.close();
    const report = await verify(dir);
    expect(report.problems.map((p) => [p.kind, Number(p.position), p.streamId])).to.deep.equal([
      ['reordered', 7, positions[6]?.streamId],
      ['reordered', 8, positions[7]?.streamId],
    ]);
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
