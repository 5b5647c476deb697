import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createIdempotencyStore } from '../../src/api/idempotency';
import { ValidationError } from '../../src/domain/errors';
import { createLogger } from '../../src/lib/logger';
import { loadCardKeys } from '../../src/main/cardKey';
import { prepareDataFolder } from '../../src/main/dataFolder';
import { makeTempDir } from '../support/tmp';

describe('Data folder, card key and idempotency store at rest', () => {
  const temp = makeTempDir('mes-folder-');
  const logger = createLogger('error');
  after(() => temp.remove());

  it('creates the data folder owner-only, tightens an older install’s files, and refuses a folder others may write to', () => {
    const fresh = join(temp.dir, 'fresh', 'data');
    prepareDataFolder(fresh, logger);
    expect(statSync(fresh).mode & 0o777).to.equal(0o700);

    const older = join(temp.dir, 'older');
    mkdirSync(older);
    chmodSync(older, 0o755);
    writeFileSync(join(older, 'events.db'), 'x', { mode: 0o644 });
    chmodSync(join(older, 'events.db'), 0o644);
    prepareDataFolder(older, logger);
    expect(statSync(older).mode & 0o777).to.equal(0o700);
    expect(statSync(join(older, 'events.db')).mode & 0o777).to.equal(0o600);

    const open = join(temp.dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(() => prepareDataFolder(open, logger)).to.throw(ValidationError, /may be written by others/);
  });

  it('refuses a card key file that is not at least 32 bytes of hex instead of signing with a short key', () => {
    const dir = join(temp.dir, 'cards');
    mkdirSync(dir);
    const load = () => loadCardKeys(undefined, dir, { windowHours: 720 });
    writeFileSync(join(dir, 'card.key'), 'not hex at all\n');
    expect(load).to.throw(ValidationError, /not at least 32 bytes of hex/);
    writeFileSync(join(dir, 'card.key'), 'ab'.repeat(31));
    expect(load).to.throw(ValidationError);
    writeFileSync(join(dir, 'card.key'), `${'ab'.repeat(32)}\n`);
    // the old key moves into the card key file as k1, the legacy key
    expect(load().keys.signing()).to.deep.equal({ id: 'k1', key: Buffer.from('ab'.repeat(32), 'hex') });
    expect(existsSync(join(dir, 'card.key'))).to.equal(false);
    expect(statSync(join(dir, 'card-keys.json')).mode & 0o777).to.equal(0o600);
  });

  it('removes a card.key left by a start that stopped after moving it, and keeps the keys read last when the file turns unusable', () => {
    const dir = join(temp.dir, 'cards-again');
    mkdirSync(dir);
    const hex = 'cd'.repeat(32);
    writeFileSync(join(dir, 'card.key'), `${hex}\n`);
    loadCardKeys(undefined, dir, { windowHours: 720 });
    writeFileSync(join(dir, 'card.key'), `${hex}\n`);
    const warnings: string[] = [];
    const { keys } = loadCardKeys(undefined, dir, { windowHours: 720, warn: (message) => warnings.push(message) });
    expect(existsSync(join(dir, 'card.key'))).to.equal(false);
    writeFileSync(join(dir, 'card-keys.json'), '{ "keys": [] }');
    expect(keys.signing()).to.deep.equal({ id: 'k1', key: Buffer.from(hex, 'hex') });
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/cannot be used/);
  });

  it('forgets an Idempotency-Key answer after the retention, so the store does not grow forever', () => {
    let now = new Date('2026-11-30T08:00:00Z');
    const store = createIdempotencyStore(':memory:', { retentionMs: 24 * 3_600_000, clock: () => now });
    store.save('pda-1', 'k1', 'f1', { status: 201, body: { ok: true }, headers: {} });
    now = new Date('2026-12-01T07:59:00Z');
    expect(store.prune()).to.equal(0);
    expect(store.find('pda-1', 'k1', 'f1')?.status).to.equal(201);
    now = new Date('2026-12-01T08:01:00Z');
    expect(store.prune()).to.equal(1);
    expect(store.find('pda-1', 'k1', 'f1')).to.equal(undefined);
    store.close();
  });
});
