import { expect } from 'chai';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { computeEventHash } from '../../src/adapters/eventstore/hashChain';
import { startNotary } from '../../src/adapters/proof/notary';
import { verifyDataFolder, type OfflineReport } from '../../src/adapters/proof/offlineVerify';
import { openProofStore } from '../../src/adapters/proof/proofStore';
import { loadSigningKey } from '../../src/adapters/proof/signingKey';
import { fileWitness } from '../../src/adapters/proof/witnesses';
import type { EventMetadata } from '../../src/app/eventStore';
import { createLogger } from '../../src/lib/logger';
import { counted, createTestCodec } from './events';

export type Row = {
  position: number;
  stream_id: string;
  revision: number;
  id: string;
  type: string;
  data: string;
  metadata: string;
};

/** What an attacker with write access to the file does to make a change pass the stream's own chain. */
export const rechainStream = (db: Database.Database, streamId: string): void => {
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

export type LogPosition = { position: number; streamId: string; revision: number; id: string };

/** A data folder whose log was checkpointed by the notary to a file witness, and copies of it to attack. */
export type ProvedLog = {
  data: string;
  witnessPath: string;
  keyId: string;
  publicKey(): string;
  /** Every event of the log, in position order. */
  positions: LogPosition[];
  /** A copy of the data folder, as an auditor would receive it. */
  copy(name: string): string;
  verify(dir: string): Promise<OfflineReport>;
};

/**
 * Writes `checkpoints` × `perCheckpoint` events to `streams` (interleaved in the log), with a signed
 * checkpoint after each group, under `root`.
 */
export const buildProvedLog = async (
  root: string,
  { checkpoints = 3, perCheckpoint = 12, streams = ['order-A', 'order-B', 'lot-C'] } = {},
): Promise<ProvedLog> => {
  const data = join(root, 'data');
  const witnessPath = join(root, 'witness', 'checkpoints.jsonl');
  mkdirSync(join(root, 'witness'), { recursive: true });
  mkdirSync(data, { recursive: true });
  const store = createSqliteEventStore({ path: join(data, 'events.db'), codec: createTestCodec() });
  const key = loadSigningKey(join(data, 'proof-signing.key'), join(data, 'proof-keys'));
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
  for (let batch = 0; batch < checkpoints; batch += 1) {
    for (let i = 0; i < perCheckpoint; i += 1)
      await store.append(streams[i % streams.length] as string, [counted(batch * perCheckpoint + i)]);
    await notary.checkpointNow();
  }
  await notary.stop();
  await store.close();
  const db = new Database(join(data, 'events.db'), { readonly: true });
  const positions = db
    .prepare<[], { position: number; stream_id: string; revision: number; id: string }>(
      'SELECT position, stream_id, revision, id FROM events ORDER BY position',
    )
    .all()
    .map((r) => ({ position: r.position, streamId: r.stream_id, revision: r.revision, id: r.id }));
  db.close();
  const publicKey = () => join(data, 'proof-keys', `${key.keyId}.pem`);
  return {
    data,
    witnessPath,
    keyId: key.keyId,
    publicKey,
    positions,
    copy(name) {
      const dir = join(root, name);
      cpSync(data, dir, { recursive: true });
      return dir;
    },
    verify: (dir) => verifyDataFolder({ dataDir: dir, checkpoints: witnessPath, publicKeyFiles: [publicKey()] }),
  };
};

/** A problem as verification names it: kind, position, stream. */
export type Named = [string, number, string | undefined];

/** One change an attacker with the database file makes, and what verification against the witness must name. */
export type Attack = {
  name: string;
  tamper(db: Database.Database, log: ProvedLog): void;
  expected(log: ProvedLog): Named[];
  /** The named problems begin with `expected` and all are of its kind and stream (a rewrite names the later events of its stream it re-hashed). */
  prefix?: boolean;
  /** A stream whose own hash chain still verifies after the change: what only the log-wide proof catches. */
  chainStillHolds?(log: ProvedLog): string;
};

const at = (log: ProvedLog, index: number): LogPosition => {
  const found = log.positions[index];
  if (!found) throw new Error(`the log has no event at index ${index}`);
  return found;
};

/**
 * The attacks, at places in the log given by index (0-based): the event rewritten, the events kept
 * before the deleted tail, the event re-timed, the first of the two swapped (with the next one).
 */
export const attacks = ({ rewritten = 10, kept = 33, retimed = 4, swapped = 6 } = {}): Attack[] => [
  {
    name: 'an event rewritten with its stream chain recomputed',
    tamper(db, log) {
      const victim = at(log, rewritten);
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify({ n: 999 }), victim.position);
      rechainStream(db, victim.streamId);
    },
    expected: (log) => [['rewritten', at(log, rewritten).position, at(log, rewritten).streamId]],
    prefix: true,
    chainStillHolds: (log) => at(log, rewritten).streamId,
  },
  {
    name: 'the end of the log deleted, sqlite_sequence corrected',
    tamper(db, log) {
      const last = at(log, kept - 1).position;
      db.prepare('DELETE FROM events WHERE position > ?').run(last);
      db.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'events'").run(last);
    },
    expected: (log) => log.positions.slice(kept).map((p) => ['deleted', p.position, p.streamId]),
  },
  {
    name: 'an event re-timed (recorded_at moved)',
    tamper(db, log) {
      db.prepare("UPDATE events SET recorded_at = '2020-01-01T00:00:00.000Z' WHERE position = ?").run(
        at(log, retimed).position,
      );
    },
    expected: (log) => [['retimed', at(log, retimed).position, at(log, retimed).streamId]],
  },
  {
    name: 'two events’ positions swapped',
    tamper(db, log) {
      const [a, b] = [at(log, swapped).position, at(log, swapped + 1).position];
      db.prepare('UPDATE events SET position = ? WHERE position = ?').run(-a, a);
      db.prepare('UPDATE events SET position = ? WHERE position = ?').run(a, b);
      db.prepare('UPDATE events SET position = ? WHERE position = ?').run(b, -a);
    },
    expected: (log) => [
      ['reordered', at(log, swapped).position, at(log, swapped).streamId],
      ['reordered', at(log, swapped + 1).position, at(log, swapped + 1).streamId],
    ],
  },
];

export type AttackResult = { report: OfflineReport; named: Named[]; ms: number };

/** Copies the log, makes the change, checks the claims the attack makes, and verifies the copy against the witness. */
export const runAttack = async (log: ProvedLog, attack: Attack, copyName: string): Promise<AttackResult> => {
  const dir = log.copy(copyName);
  const db = new Database(join(dir, 'events.db'));
  try {
    attack.tamper(db, log);
  } finally {
    db.close();
  }
  if (attack.chainStillHolds) {
    const streamId = attack.chainStillHolds(log);
    const store = createSqliteEventStore({ path: join(dir, 'events.db'), codec: createTestCodec() });
    try {
      expect((await store.verifyStream(streamId)).ok, 'the stream chain alone').to.equal(true);
    } finally {
      await store.close();
    }
  }
  const started = performance.now();
  const report = await log.verify(dir);
  const ms = performance.now() - started;
  const named = report.problems.map((p): Named => [p.kind, Number(p.position), p.streamId]);
  return { report, named, ms };
};

/** What a test asserts of an attack: verification fails, naming exactly what was changed. */
export const expectDetected = (log: ProvedLog, attack: Attack, { report, named }: AttackResult): void => {
  expect(report.ok, attack.name).to.equal(false);
  const expected = attack.expected(log);
  if (!attack.prefix) {
    expect(named, attack.name).to.deep.equal(expected);
    return;
  }
  expect(named.slice(0, expected.length), attack.name).to.deep.equal(expected);
  const [kind, , streamId] = expected[0] as Named;
  expect(
    named.every(([k, , s]) => k === kind && s === streamId),
    `${attack.name}: only ${kind} events of ${streamId}`,
  ).to.equal(true);
};
