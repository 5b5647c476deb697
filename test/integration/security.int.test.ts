import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createEventCodec } from '../../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { createSqliteSessionStore } from '../../src/adapters/sessions/sqliteSessionStore';
import { createCommandHandler } from '../../src/app/commandHandler';
import type { EventStore } from '../../src/app/eventStore';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { createApiKeyService } from '../../src/app/security/apiKeys';
import { createSecurityDirectory } from '../../src/app/security/directory';
import { createSecrets, sha256Hex } from '../../src/app/security/secrets';
import { createSecurityLog } from '../../src/app/security/securityLog';
import { createSessions } from '../../src/app/security/sessions';
import type { SessionStore } from '../../src/app/security/sessionStore';
import { createThrottle } from '../../src/app/security/throttle';
import { TooManyAttemptsError } from '../../src/domain/errors';
import { upcasters } from '../../src/domain/upcasters';
import { makeTempDir } from '../support/tmp';

describe('security services on real SQLite (controlled clock)', () => {
  const temp = makeTempDir('mes-security-int-');
  let store: EventStore;
  let sessionStore: SessionStore;
  // the controlled clock starts at the wall clock's time: the store stamps recordedAt with the latter
  let at = Date.now();
  const now = () => new Date(at);
  const meta = () => ({ now: now().toISOString(), actor: 'sec.admin' });
  const secrets = createSecrets(randomBytes(32));
  let keys: ReturnType<typeof createApiKeyService>;

  before(() => {
    store = createSqliteEventStore({
      path: join(temp.dir, 'events.db'),
      codec: createEventCodec(loadSchemaRegistry(), upcasters),
    });
    sessionStore = createSqliteSessionStore(join(temp.dir, 'sessions.db'));
    keys = createApiKeyService({
      commands: createCommandHandler({ store }),
      directory: createSecurityDirectory(store),
      secrets,
      sessions: sessionStore,
      now,
      logMark: () => store.headPosition(),
    });
  });
  after(async () => {
    await sessionStore.close();
    await store.close();
    temp.remove();
  });

  it('locks an account at the configured failures, for the window, and counts afresh after it', async () => {
    const throttle = createThrottle(sessionStore, { maxPerAccount: 3, maxPerAddress: 100, windowMs: 60_000 }, () => at);
    expect(await throttle.fail('10.0.0.1', 'li.wei')).to.deep.equal([]);
    expect(await throttle.fail('10.0.0.1', 'li.wei')).to.deep.equal([]);
    const [lock] = await throttle.fail('10.0.0.1', 'li.wei');
    expect(lock).to.deep.include({ scope: 'account', subject: 'li.wei', failures: 3, until: at + 60_000 });
    at += 30_000;
    const refused = await throttle.check('10.0.0.2', 'li.wei').catch((error: unknown) => error);
    expect(refused).to.be.instanceOf(TooManyAttemptsError);
    expect((refused as TooManyAttemptsError).retryAfterSeconds).to.equal(30);
    await throttle.check('10.0.0.2', 'zhao.lei');
    at += 30_001;
    await throttle.check('10.0.0.1', 'li.wei');
    expect(await throttle.fail('10.0.0.1', 'li.wei')).to.deep.equal([]);
  });

  it('checks keys by HMAC: a rotated secret is refused, a revoked or expired key is refused with its reason', async () => {
    const made = await keys.create(
      { name: 'erp', owner: 'system:erp', roles: ['integrator'], expiresAt: new Date(at + 86_400_000).toISOString() },
      meta(),
      'c1',
    );
    expect(await keys.check(made.token)).to.deep.include({ ok: true });
    expect(await keys.check(`${made.keyId}.${'A'.repeat(43)}`)).to.deep.include({
      ok: false,
      reason: 'bad-key',
    });
    const rotated = await keys.rotate(made.keyId, new Date(at + 86_400_000).toISOString(), meta(), 'c2');
    expect(await keys.check(made.token)).to.deep.include({ ok: false, reason: 'bad-key' });
    expect(await keys.check(rotated.token)).to.deep.include({ ok: true });
    at += 86_400_001;
    expect(await keys.check(rotated.token)).to.deep.include({ ok: false, reason: 'key-expired' });
    await keys.revoke(made.keyId, 'leaked', meta(), 'c3');
    expect(await keys.check(rotated.token)).to.deep.include({ ok: false, reason: 'key-revoked' });
    expect(
      await keys
        .create({ name: 'erp', owner: 'system:erp', roles: ['integrator'] }, meta(), 'c4')
        .catch((e: Error) => e.message),
    ).to.match(/taken/);
  });

  it('refuses an accepted key at its next check once another process (the keys CLI) rotates or revokes it', async () => {
    // the keys CLI: its own command handler and directory over the same log
    const cli = createApiKeyService({
      commands: createCommandHandler({ store }),
      directory: createSecurityDirectory(store),
      secrets,
      now,
    });
    const made = await cli.create({ name: 'mes-board', owner: 'system:board', roles: ['analyst'] }, meta(), 'c10');
    expect(await keys.check(made.token)).to.deep.include({ ok: true });
    const again = await keys.check(made.token);
    expect(again.ok && again.principal).to.deep.include({ name: 'mes-board', roles: ['analyst'], keyId: made.keyId });
    const rotated = await cli.rotate(made.keyId, undefined, meta(), 'c11');
    expect(await keys.check(made.token)).to.deep.include({ ok: false, reason: 'bad-key' });
    expect(await keys.check(rotated.token)).to.deep.include({ ok: true });
    expect(await keys.check(rotated.token)).to.deep.include({ ok: true });
    await cli.revoke(made.keyId, 'leaked', meta(), 'c12');
    expect(await keys.check(rotated.token)).to.deep.include({ ok: false, reason: 'key-revoked' });
  });

  it('holds a lock from the failure that sets it, and a lock set before a restart from the store', async () => {
    const options = { maxPerAccount: 100, maxPerAddress: 2, windowMs: 60_000 };
    const throttle = createThrottle(sessionStore, options, () => at);
    await throttle.check('10.0.9.1');
    await throttle.fail('10.0.9.1');
    await throttle.check('10.0.9.1');
    expect(await throttle.fail('10.0.9.1')).to.have.length(1);
    expect(await throttle.check('10.0.9.1').catch((error: unknown) => error)).to.be.instanceOf(TooManyAttemptsError);
    const restarted = createThrottle(sessionStore, options, () => at);
    expect(await restarted.check('10.0.9.1').catch((error: unknown) => error)).to.be.instanceOf(TooManyAttemptsError);
    at += 60_001;
    await throttle.check('10.0.9.1');
    await restarted.check('10.0.9.1');
  });

  it('imports the old key file once, without its admin role, and checks its tokens by their SHA-256', async () => {
    const entries = [
      { name: 'old-planner', roles: ['planner'], sha256: sha256Hex('old-token-1') },
      { name: 'old-admin', roles: ['admin'], sha256: sha256Hex('old-token-2') },
    ];
    const first = await keys.importLegacy(entries, '/etc/keys.json', meta(), 'c5');
    expect(first.imported).to.deep.equal(['old-planner']);
    expect(first.skipped.map((s) => s.name)).to.deep.equal(['old-admin']);
    expect((await keys.importLegacy(entries, '/etc/keys.json', meta(), 'c6')).imported).to.deep.equal([]);
    const checked = await keys.check('old-token-1');
    expect(checked.ok && checked.principal).to.deep.include({ name: 'old-planner', roles: ['planner'] });
    expect(await keys.check('old-token-2')).to.deep.include({ ok: false, reason: 'unknown-key' });
  });

  it('ends a session unused for the idle timeout, and one past its absolute lifetime, each with a security event', async () => {
    const log = createSecurityLog({ store, directory: createSecurityDirectory(store), now, retentionDays: 180 });
    const commands = createCommandHandler({ store });
    await commands.handle(
      'person',
      'li.wei',
      {
        type: 'RegisterPerson',
        data: {
          personId: 'li.wei',
          displayName: 'Li Wei',
          roles: ['planner'],
          workCenters: [],
          credential: await secrets.hash('Li-Wei-Pass-2026'),
        },
        meta: meta(),
      },
      { commandId: 'register-li.wei', correlationId: 'c7', source: 'api' },
    );
    const sessions = createSessions({
      store: sessionStore,
      commands,
      keys,
      log,
      now,
      options: { idleMs: 60_000, maxMs: 300_000 },
    });
    const person = await sessions.person('li.wei');
    const idle = await sessions.start(person as NonNullable<typeof person>, 'browser', '10.0.0.1', 'c8', 'password');
    expect(idle.pending).to.deep.equal(['password-change']);
    at += 59_000;
    expect(await sessions.check(idle.token, undefined, 'c9')).to.deep.include({ ok: true });
    at += 61_000;
    expect(await sessions.check(idle.token, undefined, 'c10')).to.deep.include({
      ok: false,
      reason: 'unknown-session',
    });
    const busy = await sessions.start(person as NonNullable<typeof person>, 'browser', '10.0.0.1', 'c11', 'password');
    for (let i = 0; i < 6; i += 1) {
      at += 50_000;
      expect((await sessions.check(busy.token, undefined, 'c12')).ok, `used at ${i}`).to.equal(i < 5);
    }
    const ended = await log.query({ actor: 'li.wei', types: ['SessionEnded'] });
    expect(ended.events.map((e) => e.data['reason'])).to.deep.equal(['idle', 'expired']);
  });
});
