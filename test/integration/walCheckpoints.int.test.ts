import { expect } from 'chai';
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../../src/lib/logger';
import { startWalCheckpoints } from '../../src/main/walCheckpoints';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';

describe('WAL checkpoints in the background', () => {
  const temp = makeTempDir('mes-wal-');
  after(() => temp.remove());

  const open = (name: string): Database.Database => {
    const db = new Database(join(temp.dir, name));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    return db;
  };
  /** About 2,000 pages (8 MB) committed in 200 transactions: past SQLite's own checkpoint at 1,000. */
  const write = (db: Database.Database): void => {
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    for (let n = 0; n < 200; n += 1) db.transaction(() => insert.run('x'.repeat(40_000)))();
  };

  it('commits under 32 MiB of WAL no longer checkpoint; the worker copies the WAL into the database file; stopping gives commits their checkpoints back', async () => {
    const db = open('busy.db');
    const file = join(temp.dir, 'busy.db');
    const checkpoints = startWalCheckpoints([db], createLogger('error'), 100);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).to.equal(8192);
    const before = statSync(file).size;
    write(db);
    await waitFor(() => statSync(file).size > before + 7_000_000, 'the rows in the database file', 10_000);
    await checkpoints.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).to.equal(1000);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).to.deep.equal({ n: 200 });
    db.close();
  });

  it('bounds the WAL under commits that never stop: past 32 MiB a commit checkpoints what the worker has not copied, and the WAL starts again', async () => {
    const db = open('steady.db');
    const file = join(temp.dir, 'steady.db');
    // a worker that does not copy during the test: the commits alone must keep the WAL bounded
    const checkpoints = startWalCheckpoints([db], createLogger('error'), 600_000);
    try {
      const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
      // about 48 MB of rows, one commit each
      for (let n = 0; n < 1_200; n += 1) db.transaction(() => insert.run('x'.repeat(40_000)))();
      expect(statSync(file).size).to.be.greaterThan(20_000_000);
      expect(statSync(`${file}-wal`).size).to.be.lessThan(40_000_000);
    } finally {
      await checkpoints.stop();
      db.close();
    }
  });

  it('without the worker, the same commits with checkpoints off leave the database file as it was', () => {
    const db = open('idle.db');
    db.pragma('wal_autocheckpoint = 0');
    const before = statSync(join(temp.dir, 'idle.db')).size;
    write(db);
    expect(statSync(join(temp.dir, 'idle.db')).size).to.equal(before);
    db.close();
  });
});
