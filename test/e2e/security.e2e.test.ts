import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Secret, TOTP } from 'otpauth';
import { client, makeKeys } from '../support/apiClient';
import { startBackboneProcess, type BackboneProcess } from '../support/backboneProcess';
import { asOperator, badgeLogin, passwordLogin, registerOperator, shopFloor, type Browser } from '../support/people';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';

type Trail = {
  events: Array<{ type: string; streamId: string; data: Record<string, unknown>; metadata: { actor: string } }>;
};

const ORDER = {
  orderId: 'PO-SEC-1',
  product: 'SHAFT',
  quantity: 5,
  unit: 'pcs',
  customer: 'ACME',
  priority: 2,
  dueDate: '2026-12-01T00:00:00+08:00',
  routing: {
    overlap: false,
    operations: [
      {
        operationId: '010',
        code: 'TURN',
        workCenter: 'WC-SEC',
        standardMinutesPerUnit: 2,
        setupMinutes: 0,
        inspectionRequired: false,
        materials: [],
      },
    ],
  },
};

/** Runs `npm run keys -- ...` against the data folder, as an operator of the server would. */
const keysCli = async (dataDir: string, ...args: string[]): Promise<string> => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', resolve(__dirname, '../../scripts/keys.ts'), ...args],
    { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' },
  );
  return stdout;
};

describe('people, sessions, keys and the security trail (a started process)', function () {
  this.timeout(120_000);
  const temp = makeTempDir('mes-security-');
  const keys = makeKeys(temp.dir);
  const dataDir = join(temp.dir, 'data');
  let backbone: BackboneProcess;
  let api: ReturnType<typeof client>;
  let secadmin: Browser;
  const trail = async (query: string): Promise<Trail['events']> => {
    const answer = await api.get(`/api/security/events?${query}`, 'auditadmin');
    expect(answer.status).to.equal(200);
    return (answer.body as Trail).events;
  };

  before(async () => {
    backbone = await startBackboneProcess({
      DATA_DIR: dataDir,
      API_KEYS_FILE: keys.file,
      LOGIN_MAX_FAILURES: '3',
      LOGIN_LOCKOUT_SECONDS: '3',
      SESSION_IDLE_SECONDS: '2',
    });
    api = client(backbone.baseUrl, keys.tokens);
  });
  after(async () => {
    await backbone.stop();
    temp.remove();
  });

  it('makes two administrators at the first start, their passwords in a 0600 file the log names, never in the log', () => {
    const file = join(dataDir, 'initial-credentials.txt');
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    const passwords = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => /^(sysadmin|secadmin)\t/.test(line))
      .map((line) => line.split('\t')[1] as string);
    expect(passwords).to.have.length(2);
    const log = JSON.stringify(backbone.logs);
    expect(log).to.include(file);
    for (const password of passwords) expect(log).to.not.include(password);
    expect(backbone.logs.some((l) => l['level'] === 'warn' && String(l['msg']).includes('deprecated'))).to.equal(true);
  });

  it('logs the security administrator in, makes them change the password and enrol TOTP, then asks for a code', async () => {
    const initial = /secadmin\t(\S+)/.exec(
      readFileSync(join(dataDir, 'initial-credentials.txt'), 'utf8'),
    )?.[1] as string;
    const first = await passwordLogin(backbone.baseUrl, 'secadmin', initial);
    expect(first.status).to.equal(201);
    expect(first.setCookie)
      .to.match(/HttpOnly/)
      .and.match(/SameSite=Strict/);
    expect(first.body).to.deep.include({ status: 'pending', pending: ['password-change', 'second-factor-enrolment'] });
    const pending = first.browser as Browser;
    expect((await pending.call('GET', '/api/people')).body).to.deep.include({ rule: 'password-change-required' });
    const weak = await pending.call('POST', '/api/me/password', { currentPassword: initial, newPassword: 'short' });
    expect(weak.status).to.equal(400);
    expect(
      (await pending.call('POST', '/api/me/password', { currentPassword: initial, newPassword: 'Sec-Admin-Pass-2026' }))
        .status,
    ).to.equal(200);
    expect((await pending.call('GET', '/api/people')).body).to.deep.include({
      rule: 'second-factor-enrolment-required',
    });
    const offer = (await pending.call('POST', '/api/me/second-factor', {})).body as { secret: string; uri: string };
    expect(offer.uri).to.match(/^otpauth:\/\/totp\//);
    const totp = new TOTP({ secret: Secret.fromBase32(offer.secret) });
    const confirmCode = totp.generate();
    const confirmed = await pending.call('POST', '/api/me/second-factor/confirm', { code: confirmCode });
    expect((confirmed.body as { recoveryCodes: string[] }).recoveryCodes).to.have.length(10);
    expect((await pending.call('GET', '/api/people')).status).to.equal(200);
    expect((await pending.call('DELETE', '/api/session')).status).to.equal(200);
    expect((await pending.call('GET', '/api/me')).status).to.equal(401);

    const wrongCode = await passwordLogin(backbone.baseUrl, 'secadmin', 'Sec-Admin-Pass-2026', () => '000000');
    expect(wrongCode.status).to.equal(401);
    // a code works once: the one that confirmed the enrolment is refused, the next time step's is taken
    const replayed = await passwordLogin(backbone.baseUrl, 'secadmin', 'Sec-Admin-Pass-2026', () => confirmCode);
    expect(replayed.status).to.equal(401);
    const again = await passwordLogin(backbone.baseUrl, 'secadmin', 'Sec-Admin-Pass-2026', () =>
      totp.generate({ timestamp: Date.now() + 30_000 }),
    );
    expect(again.status).to.equal(201);
    expect(again.body).to.deep.include({ status: 'active', pending: [] });
    secadmin = again.browser as Browser;
    const events = await trail('actor=secadmin');
    expect(events.map((e) => e.type)).to.include.members([
      'PasswordSet',
      'SecondFactorEnrolled',
      'LoginSucceeded',
      'LoginFailed',
      'SessionEnded',
    ]);
    expect(events.find((e) => e.type === 'LoginFailed')?.data).to.deep.include({
      reason: 'bad-second-factor',
      address: '127.0.0.1',
    });
    expect(JSON.stringify(events)).to.not.include(offer.secret);
  });

  it('refuses a cross-site write with the session cookie, and one without the CSRF token', async () => {
    const person = { personId: 'wang.fang', displayName: 'Wang Fang', roles: ['planner'] };
    const foreign = await secadmin.call('POST', '/api/people', person, { origin: 'https://evil.example' });
    expect(foreign.status).to.equal(403);
    expect(foreign.body).to.deep.include({ rule: 'csrf' });
    const tokenless = await secadmin.call('POST', '/api/people', person, { 'x-csrf-token': 'guessed' });
    expect(tokenless.body).to.deep.include({ rule: 'csrf' });
    const made = await secadmin.call('POST', '/api/people', person, { origin: backbone.baseUrl });
    expect(made.status).to.equal(201);
    expect((made.body as { oneTimePassword: string }).oneTimePassword).to.have.length.of.at.least(12);
  });

  it('locks an account after the configured failures (429, Retry-After) and lifts the lock after the window', async () => {
    const fresh = await secadmin.call('POST', '/api/people', {
      personId: 'zhao.lei',
      displayName: 'Zhao Lei',
      roles: ['quality'],
    });
    const password = (fresh.body as { oneTimePassword: string }).oneTimePassword;
    for (let i = 0; i < 3; i += 1)
      expect((await passwordLogin(backbone.baseUrl, 'zhao.lei', 'Not-The-Password-1')).status).to.equal(401);
    const locked = await passwordLogin(backbone.baseUrl, 'zhao.lei', password);
    expect(locked.status).to.equal(429);
    expect(Number(locked.headers.get('retry-after'))).to.be.within(1, 3);
    const lifted = await waitFor(
      async () => {
        const login = await passwordLogin(backbone.baseUrl, 'zhao.lei', password);
        return login.status === 429 ? undefined : login;
      },
      'the lock to lift',
      6_000,
    );
    expect(lifted.status).to.equal(201);
    const events = await trail('actor=zhao.lei&type=LoginFailed,LoginLockedOut');
    expect(events.map((e) => e.data['reason'] ?? e.type)).to.include.members([
      'bad-password',
      'LoginLockedOut',
      'locked',
    ]);
    const warned = backbone.logs.filter((l) => l['msg'] === 'login failed' && l['subject'] === 'zhao.lei');
    expect(warned.every((l) => l['level'] === 'warn' && l['address'] === '127.0.0.1')).to.equal(true);
    expect(warned.map((l) => l['reason'])).to.include.members(['bad-password', 'locked']);
  });

  it('ends a session left idle longer than the idle timeout', async () => {
    // the security administrator's own session went idle in the lockout's window: their key does this
    const made = await api.post(
      '/api/people',
      {
        personId: 'sun.li',
        displayName: 'Sun Li',
        roles: ['analyst'],
      },
      'secadmin',
    );
    const first = await passwordLogin(
      backbone.baseUrl,
      'sun.li',
      (made.body as { oneTimePassword: string }).oneTimePassword,
    );
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    const browser = first.browser as Browser;
    expect(
      (
        await browser.call('POST', '/api/me/password', {
          currentPassword: (made.body as { oneTimePassword: string }).oneTimePassword,
          newPassword: 'Analyst-Pass-2026',
        })
      ).status,
    ).to.equal(200);
    expect((await browser.call('GET', '/api/wip/orders')).status).to.equal(200);
    // the idle timeout itself (2 s) is waited out: any probe before it would count as activity
    await sleep(2_100);
    expect((await browser.call('GET', '/api/me')).status).to.equal(401);
    expect((await trail('actor=sun.li&type=SessionEnded')).map((e) => e.data['reason'])).to.deep.equal(['idle']);
  });

  it('records a badge login on a PDA and a scan for that operator; a body naming another is 403; a device key alone clocks nobody', async () => {
    await api.post('/api/orders', ORDER, 'planner');
    await api.post('/api/orders/PO-SEC-1/release', {}, 'planner');
    const card = ((await api.get('/api/orders/PO-SEC-1/operations/010/card', 'planner')).body as { payload: string })
      .payload;
    const operator = await shopFloor(api, 'PDA-1', 'chen.jie', 'B-0007');
    const deviceOnly = await api.call('POST', '/api/scans', {
      as: null,
      body: { scanId: 'sec-0', card, action: 'start' },
      headers: { authorization: `Bearer ${operator.deviceToken}` },
    });
    expect(deviceOnly.status).to.equal(403);
    const other = await asOperator(api, operator, 'POST', '/api/scans', {
      scanId: 'sec-1',
      card,
      action: 'start',
      operatorId: 'op-99',
    });
    expect(other.status).to.equal(403);
    expect(other.body).to.deep.include({ rule: 'operator-not-caller' });
    const scanned = await asOperator(api, operator, 'POST', '/api/scans', { scanId: 'sec-2', card, action: 'start' });
    expect(scanned.status).to.equal(200);
    const clocked = (await api.get('/api/streams/operator-chen.jie/events', 'auditor')).body as Array<{
      type: string;
      metadata: { actor: string };
    }>;
    expect(clocked.map((e) => [e.type, e.metadata.actor])).to.deep.equal([['OperatorClockedIn', 'chen.jie']]);
    expect((await api.get('/api/streams/operator-op-99/events', 'auditor')).status).to.equal(404);
    const withoutDevice = await api.call('GET', '/api/me', {
      as: null,
      headers: { authorization: operator.headers['authorization'] as string },
    });
    expect(withoutDevice.status).to.equal(401);

    // logging in on another PDA ends the session on the first
    const second = await badgeLogin(
      api,
      await api
        .post('/api/devices', { deviceId: 'PDA-2', name: 'PDA 2' }, 'sysadmin')
        .then((r) => (r.body as { token: string }).token),
      'B-0007',
      operator.pin,
    );
    expect(second.status).to.equal(201);
    expect((await asOperator(api, operator, 'GET', '/api/me')).status).to.equal(401);
    const ended = await trail('actor=chen.jie&type=SessionEnded,LoginSucceeded');
    expect(ended.map((e) => [e.type, e.data['reason'] ?? e.data['deviceId']])).to.deep.equal([
      ['LoginSucceeded', 'PDA-1'],
      ['SessionEnded', 'replaced'],
      ['LoginSucceeded', 'PDA-2'],
    ]);
    await registerOperator(api, 'he.min', 'B-0008');
    expect((await badgeLogin(api, operator.deviceToken, 'B-0008', '000000')).status).to.equal(401);
  });

  it('refuses a revoked key on its next request, and a key made by the CLI works at once on the running backbone', async () => {
    const made = await api.post(
      '/api/keys',
      { name: 'mes-dashboard', owner: 'system:dashboard', roles: ['analyst'] },
      'secadmin',
    );
    expect(made.status).to.equal(201);
    const { keyId, token } = made.body as { keyId: string; token: string };
    expect(token).to.match(new RegExp(`^${keyId}\\.[A-Za-z0-9_-]{43}$`));
    const call = (t: string) =>
      api.call('GET', '/api/wip/orders', { as: null, headers: { authorization: `Bearer ${t}` } });
    expect((await call(token)).status).to.equal(200);
    expect((await api.post(`/api/keys/${keyId}/revoke`, { reason: 'test' }, 'secadmin')).status).to.equal(200);
    expect((await call(token)).status).to.equal(401);

    const cliToken = (await keysCli(dataDir, 'create', '--name', 'cli-made', '--roles', 'analyst'))
      .trim()
      .split('\n')
      .pop() as string;
    expect((await call(cliToken)).status).to.equal(200);
    await keysCli(dataDir, 'revoke', 'cli-made', '--reason', 'test over');
    expect((await call(cliToken)).status).to.equal(401);
    const listed = (await api.get('/api/keys', 'secadmin')).body as Array<{
      name: string;
      status: string;
      lastUsedAt: string | null;
    }>;
    expect(listed.find((k) => k.name === 'cli-made')).to.deep.include({ status: 'revoked' });
    expect(JSON.stringify(listed)).to.not.include(cliToken.split('.')[1]);
    const refused = await trail('type=LoginFailed');
    expect(refused.filter((e) => e.data['reason'] === 'key-revoked').map((e) => e.data['subject'])).to.include(keyId);
  });

  it('keeps the trail apart: the business auditor cannot read it, the audit administrator reads it with reads and the configuration, and its chains verify', async () => {
    const denied = await api.get('/api/streams/person-secadmin/events', 'auditor');
    expect(denied.status).to.equal(403);
    expect(denied.body).to.deep.include({ rule: 'security-trail' });
    await api.get('/api/export?category=order&from=2026-01-01T00:00:00Z', 'auditor');
    const reads = await trail('type=TraceabilityRead&actor=auditor-1');
    expect(reads.map((e) => e.data['route'])).to.include('/api/export');
    expect(reads.find((e) => e.data['route'] === '/api/export')?.data).to.deep.include({
      query: { category: 'order', from: '2026-01-01T00:00:00Z' },
      address: '127.0.0.1',
    });
    const config = (await trail('type=ConfigurationLoaded'))[0]?.data['configuration'] as Record<string, unknown>;
    expect(config).to.deep.include({ cardKey: 'kept in DATA_DIR', dataDir });
    expect((await api.get('/api/security/events?type=AccessDenied', 'auditadmin')).status).to.equal(200);
    expect((await api.post('/api/people/zhao.lei/disable', { reason: 'x' }, 'auditadmin')).status).to.equal(403);
    expect(
      (await api.post('/api/keys', { name: 'x', owner: 'system:x', roles: ['analyst'] }, 'auditadmin')).status,
    ).to.equal(403);
    const denials = await trail('type=AccessDenied&actor=auditadmin-1');
    expect(denials.map((e) => e.data['route'])).to.deep.equal(['/api/people/:personId/disable', '/api/keys']);
    expect(denials[0]?.data).to.deep.include({ needed: ['secadmin'], held: ['auditadmin'], address: '127.0.0.1' });
    const verified = await api.get('/api/security/verify', 'auditadmin');
    expect(verified.body).to.deep.include({ ok: true, broken: [] });
    expect((verified.body as { streams: number }).streams).to.be.greaterThan(5);
  });
});
