import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecurityApi } from '../api/security';
import { oneTimePassword } from '../app/people/peopleService';
import type { Role } from '../domain/people';
import type { PlantLogins } from '../simulator/logins';

const OFFICE: Array<[keyof PlantLogins['people'], string, string, Role]> = [
  ['planner', 'li.na', 'Li Na (planner)', 'planner'],
  ['quality', 'wang.qiang', 'Wang Qiang (quality)', 'quality'],
  ['maintenance', 'zhang.wei', 'Zhang Wei (maintenance)', 'maintenance'],
  ['analyst', 'liu.yang', 'Liu Yang (analyst)', 'analyst'],
  ['auditor', 'chen.jing', 'Chen Jing (auditor)', 'auditor'],
];

export const DEMO_CREDENTIALS = 'demo-credentials.txt';

/**
 * The demo plant's people, PDAs and integrations, set up as the security and system administrators
 * would (a second demo in the same data folder resets their passwords, PINs and keys): office people
 * with one-time passwords, one operator per machine with a badge and PIN on their own PDA, and keys
 * for the ERP, the WMS and the machines' gateway. The passwords people end up with are written to
 * `$DATA_DIR/demo-credentials.txt` (0600), so a person can log in afterwards; no secret goes to the log.
 */
export const setUpDemoPlant = async (
  security: SecurityApi,
  machines: number,
  dataDir: string,
): Promise<PlantLogins> => {
  const meta = { now: new Date().toISOString(), actor: 'demo', roles: [] };
  const correlationId = `demo:${meta.now}`;
  const { people, devices } = security;
  const registered = new Set((await people.list()).map((p) => p.personId));
  const person = async (personId: string, displayName: string, roles: Role[], badgeId?: string): Promise<string> =>
    registered.has(personId)
      ? (await people.resetPassword(personId, meta, correlationId)).oneTimePassword
      : (
          await people.register(
            { personId, displayName, roles, workCenters: [], ...(badgeId ? { badgeId } : {}) },
            meta,
            correlationId,
          )
        ).oneTimePassword;
  const office = {} as PlantLogins['people'];
  for (const [role, login, name, held] of OFFICE)
    office[role] = {
      login,
      oneTimePassword: await person(login, name, [held]),
      newPassword: oneTimePassword(login, 16),
    };
  const known = new Set((await devices.list()).filter((d) => d.status === 'registered').map((d) => d.deviceId));
  const operators: PlantLogins['operators'] = [];
  for (let i = 1; i <= machines; i += 1) {
    const n = String(i).padStart(2, '0');
    const login = `op-${n}`;
    await person(login, `Operator ${n}`, ['operator'], `B-${n}`);
    const { pin } = await people.issuePin(login, meta, correlationId);
    const deviceId = `PDA-${n}`;
    const device = known.has(deviceId)
      ? await devices.rotateKey(deviceId, meta, correlationId)
      : await devices.register({ deviceId, name: `PDA ${n}` }, meta, correlationId);
    operators.push({ login, badgeId: `B-${n}`, pin, deviceToken: device.token });
  }
  const keys = security.auth.keys;
  const existing = await keys.list();
  const key = async (name: string, roles: Role[]): Promise<string> => {
    const found = existing.find((k) => k.name === name && k.status === 'active');
    if (found) return (await keys.rotate(found.keyId, undefined, meta, correlationId)).token;
    const suffix = existing.some((k) => k.name === name) ? `-${randomBytes(3).toString('hex')}` : '';
    return (await keys.create({ name: `${name}${suffix}`, owner: `system:${name}`, roles }, meta, correlationId)).token;
  };
  const logins: PlantLogins = {
    people: office,
    operators,
    keys: {
      erp: await key('demo-erp', ['integrator']),
      wms: await key('demo-wms', ['integrator']),
      gateway: await key('demo-gateway', ['integrator']),
      // the plant's set-up (sites, work centers, employees) by its two administrators' keys, kept apart
      sysadmin: await key('demo-setup-system', ['sysadmin']),
      secadmin: await key('demo-setup-people', ['secadmin']),
    },
  };
  const file = join(dataDir, DEMO_CREDENTIALS);
  writeFileSync(
    file,
    [
      '# The demo plant: login<TAB>password (office) and badge<TAB>PIN<TAB>device (operators).',
      ...Object.values(office).map((p) => `${p.login}\t${p.newPassword}`),
      ...operators.map((o) => `${o.badgeId}\t${o.pin}\tPDA-${o.login.slice(3)}`),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  chmodSync(file, 0o600);
  return logins;
};
