import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createSqliteCheckpointStore } from '../../src/adapters/checkpoints/sqliteCheckpointStore';
import type { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import type { CommandContext } from '../../src/app/commandHandler';
import { cardPayload } from '../../src/app/operationCards';
import { ValidationError } from '../../src/domain/errors';
import type { CommandMeta } from '../../src/domain/messages';
import { securityStreamOf } from '../../src/domain/security';
import { createLogger } from '../../src/lib/logger';
import { loadCardKeys, rotateCardKey } from '../../src/main/cardKey';
import { startServices, type Services } from '../../src/main/services';
import { operation, orderSpec } from '../support/fixtures';
import { openPlantStore } from '../support/plantDay';
import { makeTempDir } from '../support/tmp';

const DAY = 86_400_000;

/** A card as the backbone printed it before key ids, under the old card.key. */
const legacyCard = (key: Buffer, orderId: string, operationId: string): string => {
  const text = `MES1/${orderId}/${operationId}`;
  return `${text}/${createHmac('sha256', key).update(text).digest().subarray(0, 16).toString('base64url')}`;
};

/** Runs `npm run keys -- ...` against a data folder, as the server's operator would. */
const keysCli = (env: Record<string, string>, ...args: string[]) =>
  promisify(execFile)(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', resolve(__dirname, '../../scripts/keys.ts'), ...args],
    { env: { ...process.env, ...env }, encoding: 'utf8' },
  );

describe('card keys: rotation keeps old cards scanning for the window, then refuses them (SQLite, controlled clock)', function () {
  this.timeout(120_000);
  const temp = makeTempDir('mes-cardkeys-');
  const dataDir = join(temp.dir, 'data');
  // an install from before key ids: its card.key signed the cards on the shop floor
  const oldKey = randomBytes(32);
  let now = new Date('2026-11-30T08:00:00.000Z');
  let store: SqliteEventStore;
  let services: Services;
  let keys: ReturnType<typeof loadCardKeys>['keys'];
  let cursorKey: Buffer;
  // how the page cursor key was derived from card.key before key ids
  const oldCursorKey = () => createHmac('sha256', oldKey).update('read-store cursors').digest();
  let n = 0;
  const meta = (actor = 'planner-1'): CommandMeta => ({ now: now.toISOString(), actor });
  const ctx = (): CommandContext => ({ commandId: `t-${(n += 1)}`, correlationId: `c-${n}`, source: 'api' });
  const order = (type: string, data: Record<string, unknown> = {}) =>
    services.commands.handle(
      'order',
      'PO-K',
      { type, data: { orderId: 'PO-K', ...data }, meta: meta() } as never,
      ctx(),
    );
  const scan = (card: string, action: 'start' | 'pause' | 'resume' | 'report' | 'complete', good = 0) =>
    services.scans.handle(
      { scanId: `scan-${(n += 1)}`, card, action, ...(good ? { good } : {}) },
      { personId: 'op-1' },
      meta('op-1'),
      `pda-${n}`,
    );
  const types = async () => (await store.readStream('order-PO-K')).map((e) => e.type);
  const refusedAs = async (card: string): Promise<ValidationError> => {
    const before = await types();
    try {
      await scan(card, 'report', 1);
    } catch (error) {
      expect(error).to.be.instanceOf(ValidationError);
      expect(await types(), 'nothing written for a refused card').to.deep.equal(before);
      return error as ValidationError;
    }
    throw new Error(`the card ${card} was accepted`);
  };

  before(async () => {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dataDir, 'card.key'), `${oldKey.toString('hex')}\n`, { mode: 0o600 });
    ({ keys, cursorKey } = loadCardKeys(undefined, dataDir, { windowHours: 720, now: () => now }));
    store = openPlantStore(dataDir);
    services = await startServices({
      store,
      checkpoints: createSqliteCheckpointStore(join(dataDir, 'checkpoints.db')),
      logger: createLogger('error'),
      cardKey: keys,
      clock: () => now,
      overdueIntervalMs: 0,
    });
    await order('PlanOrder', {
      spec: orderSpec({ quantity: 10, dueDate: '2027-12-01T00:00:00Z' }, [operation('010'), operation('020')]),
    });
    await order('ReleaseOrder');
  });
  after(async () => {
    await services.stop();
    await store.close();
    temp.remove();
  });

  it('moves card.key into the owner-only card key file as k1, the legacy key', () => {
    expect(existsSync(join(dataDir, 'card.key'))).to.equal(false);
    expect(statSync(join(dataDir, 'card-keys.json')).mode & 0o777).to.equal(0o600);
    expect(keys.signing()).to.deep.equal({ id: 'k1', key: oldKey });
    expect(cursorKey.equals(oldCursorKey()), 'page cursors signed before the move stay valid').to.equal(true);
  });

  it('scans a card printed before key ids and one naming k1, still within the window after a rotation; refuses both after it', async () => {
    const old = legacyCard(oldKey, 'PO-K', '010');
    now = new Date('2026-11-30T09:00:00.000Z');
    await scan(old, 'start');
    const k1Card = cardPayload(keys, { orderId: 'PO-K', operationId: '010' });
    expect(k1Card).to.match(/^MES2\/k1\/PO-K\/010\//);

    // the rotation the CLI does, at 10:00
    now = new Date('2026-11-30T10:00:00.000Z');
    const rotation = rotateCardKey(dataDir, { windowHours: 720, now });
    expect(rotation).to.deep.include({ retired: 'k1', current: 'k2', validUntil: '2026-12-30T10:00:00.000Z' });
    expect(statSync(join(dataDir, 'card-keys.json')).mode & 0o777).to.equal(0o600);
    const k2Card = cardPayload(keys, { orderId: 'PO-K', operationId: '010' });
    expect(k2Card, 'a card printed now names the new key').to.match(/^MES2\/k2\/PO-K\/010\//);
    const restarted = loadCardKeys(undefined, dataDir, { windowHours: 720 });
    expect(restarted.cursorKey.equals(oldCursorKey()), 'the rotation leaves page cursors valid').to.equal(true);

    // 29 days on: every card still scans
    now = new Date(Date.parse('2026-11-30T10:00:00.000Z') + 29 * DAY);
    await scan(old, 'pause');
    await scan(k1Card, 'resume');
    await scan(k2Card, 'report', 2);
    expect(await types()).to.include.members(['OperationStarted', 'OperationPaused', 'OperationResumed']);

    // 30 days after the rotation: the old cards are refused as expired, nothing is written; the new one scans
    now = new Date('2026-12-30T10:00:00.000Z');
    for (const card of [old, k1Card]) {
      const error = await refusedAs(card);
      expect(error.rule, card).to.equal('card-expired');
      expect(error.problems).to.deep.equal([{ path: '/card', message: 'has expired: reprint the card' }]);
      expect(error.message).to.match(/print the card again/);
    }
    await scan(k2Card, 'complete', 8);
    expect(await types()).to.include('OperationCompleted');
  });

  it('refuses a card naming a key never issued, and one whose key id was changed to another key’s', async () => {
    const card = cardPayload(keys, { orderId: 'PO-K', operationId: '020' });
    const unknown = await refusedAs(card.replace('MES2/k2/', 'MES2/k9/'));
    expect(unknown).to.deep.include({ rule: 'card-key-unknown', params: { keyId: 'k9' } });
    const swapped = await refusedAs(card.replace('MES2/k2/', 'MES2/k1/'));
    expect(swapped.problems).to.deep.equal([{ path: '/card', message: 'has an invalid signature' }]);
  });

  it('rotates with `npm run keys -- rotate-card`, records who did it in the security trail, and refuses with CARD_KEY set', async () => {
    const cliData = join(temp.dir, 'cli');
    mkdirSync(cliData, { recursive: true, mode: 0o700 });
    const env = { DATA_DIR: cliData, LOG_LEVEL: 'error' };
    // the first start makes k1; the CLI retires it
    loadCardKeys(undefined, cliData, { windowHours: 720 });
    const { stdout } = await keysCli(env, 'rotate-card');
    expect(stdout).to.match(/card key k2 signs new cards from now; cards of k1 are accepted until \S+/);
    const file = JSON.parse(readFileSync(join(cliData, 'card-keys.json'), 'utf8')) as {
      keys: { id: string; retiredAt?: string }[];
    };
    expect(file.keys.map((k) => [k.id, k.retiredAt !== undefined])).to.deep.equal([
      ['k1', true],
      ['k2', false],
    ]);
    for (const name of readdirSync(cliData).filter((f) => f.startsWith('card-keys')))
      expect(statSync(join(cliData, name)).mode & 0o777, name).to.equal(0o600);
    expect(readdirSync(cliData).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);

    const cliStore = openPlantStore(cliData);
    try {
      const trail = await cliStore.readStream(securityStreamOf(new Date().toISOString()));
      const rotated = trail.filter((e) => e.type === 'CardKeyRotated');
      expect(rotated).to.have.length(1);
      expect(rotated[0]?.data).to.deep.include({ keyId: 'k2', retiredKeyId: 'k1' });
      expect(rotated[0]?.metadata.actor).to.match(/^cli:/);
    } finally {
      await cliStore.close();
    }

    const refused = await keysCli({ ...env, CARD_KEY: 'ab'.repeat(32) }, 'rotate-card').then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).to.equal(1);
    expect(refused?.stderr).to.match(/set by CARD_KEY/);
  });
});
