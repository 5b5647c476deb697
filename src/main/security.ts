import { maskUrlCredentials } from '../lib/logger';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSqliteSessionStore } from '../adapters/sessions/sqliteSessionStore';
import type { SecurityApi } from '../api/security';
import { createCommandHandler } from '../app/commandHandler';
import type { EventStore } from '../app/eventStore';
import { createPeopleService } from '../app/people/peopleService';
import { createApiKeyService, type LegacyKey } from '../app/security/apiKeys';
import { createDeviceService } from '../app/security/devices';
import { createSecurityDirectory } from '../app/security/directory';
import { accountsAsEmployees, masterEmployees } from '../app/security/employees';
import { createEnrolment } from '../app/security/enrolment';
import { createFailureRecorder } from '../app/security/failures';
import { createLogins } from '../app/security/logins';
import type { SchemaRegistry } from '../app/schemaRegistry';
import { createSecrets } from '../app/security/secrets';
import { createSecurityLog } from '../app/security/securityLog';
import { createSessions } from '../app/security/sessions';
import { createThrottle } from '../app/security/throttle';
import type { Logger } from '../lib/logger';
import type { Config } from './config';
import { firstStart } from './firstStart';

/**
 * The server's pepper: keys API key HMACs and seals password, PIN and TOTP secrets. Kept in
 * `$DATA_DIR/pepper.key` (owner-only), made at first start. Losing it invalidates every key and password.
 */
export const loadPepper = (dataDir: string): Buffer => {
  const path = join(dataDir, 'pepper.key');
  if (existsSync(path)) return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
  mkdirSync(dataDir, { recursive: true });
  const pepper = randomBytes(32);
  writeFileSync(path, `${pepper.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return pepper;
};

const maskUrl = (url: string | undefined): string | null => (url ? maskUrlCredentials(url) : null);

/** The configuration as recorded at each start and shown to the system administrator: no secret in it. */
export const maskedConfiguration = (config: Config): Record<string, unknown> => ({
  port: config.port,
  host: config.host,
  dataDir: config.dataDir,
  eventStore: config.eventStore.kind,
  esdbUrl: config.eventStore.kind === 'esdb' ? maskUrl(config.eventStore.connectionString) : null,
  mongoUrl: maskUrl(config.mongoUrl),
  natsUrl: maskUrl(config.natsUrl),
  timeZone: config.timeZone,
  logLevel: config.logLevel,
  cardKey: config.cardKey ? '***' : 'kept in DATA_DIR',
  cardKeyRotationWindowHours: config.cardKeyRotationWindowHours,
  overdueCheckSeconds: config.overdueCheckSeconds,
  plantConfigFile: config.plantConfigFile ?? null,
  apiKeysFile: config.apiKeysFile ?? null,
  erpOutboundUrl: maskUrl(config.erpOutboundUrl),
  wmsOutboundUrl: maskUrl(config.wmsOutboundUrl),
  outboxRetrySeconds: config.outboxRetrySeconds,
  devices: config.devices,
  clientClockSkewSeconds: config.clientClockSkewSeconds,
  security: { ...config.security, trustProxy: config.security.trustProxy ?? null },
});

export type Security = { api: SecurityApi; close(): Promise<void> };

/** People, sessions, keys, devices and the security trail, wired for one process. */
export const startSecurity = async (deps: {
  config: Config;
  store: EventStore;
  schemas: SchemaRegistry;
  logger: Logger;
  /** The codes of the employees in force holding a badge (master data); else the accounts' own badge ids. */
  employeesWithBadge?: (badgeId: string) => Promise<string[]>;
}): Promise<Security> => {
  const { config, store, logger } = deps;
  const s = config.security;
  // security decisions follow the wall clock, whatever clock the business commands run on (the demo's is fast)
  const now = () => new Date();
  const secrets = createSecrets(loadPepper(config.dataDir));
  const commands = createCommandHandler({ store });
  const directory = createSecurityDirectory(store);
  const store_ = createSqliteSessionStore(join(config.dataDir, 'sessions.db'));
  const log = createSecurityLog({ store, directory, now, retentionDays: s.securityLogRetentionDays });
  const keys = createApiKeyService({
    commands,
    directory,
    secrets,
    sessions: store_,
    now,
    logMark: store.changeMark ? async () => store.changeMark?.() : () => store.headPosition(),
  });
  const sessions = createSessions({
    store: store_,
    commands,
    keys,
    log,
    now,
    options: { idleMs: s.sessionIdleSeconds * 1000, maxMs: s.sessionMaxSeconds * 1000 },
  });
  const throttle = createThrottle(
    store_,
    {
      maxPerAccount: s.loginMaxFailures,
      maxPerAddress: s.loginAddressMaxFailures,
      windowMs: s.loginLockoutSeconds * 1000,
    },
    () => Date.now(),
  );
  const recordFailure = createFailureRecorder({ throttle, log, logger });
  const employees = deps.employeesWithBadge
    ? masterEmployees(directory, deps.employeesWithBadge)
    : accountsAsEmployees(directory);
  const usedSteps = new Map<string, number>();
  const logins = createLogins({
    commands,
    sessions,
    store: store_,
    secrets,
    throttle,
    recordFailure,
    employees,
    usedSteps,
    now,
  });
  const enrolment = createEnrolment({ commands, store: store_, secrets, issuer: 'MES backbone', usedSteps, now });
  const people = createPeopleService({
    commands,
    directory,
    secrets,
    sessions,
    passwordMinLength: s.passwordMinLength,
  });
  const devices = createDeviceService({ commands, directory, keys, sessions });
  const configuration = maskedConfiguration(config);
  const startId = `start:${now().toISOString()}`;
  await log.record({ type: 'ConfigurationLoaded', data: { configuration } }, 'system', startId);
  const system = { now: now().toISOString(), actor: 'system', roles: [] };
  const keyFile = config.apiKeysFile ?? join(config.dataDir, 'api-keys.json');
  if (existsSync(keyFile)) {
    const parsed = JSON.parse(readFileSync(keyFile, 'utf8')) as unknown;
    deps.schemas.assert('config/apiKeys', parsed, `API keys ${keyFile}`);
    const { imported, skipped } = await keys.importLegacy(parsed as LegacyKey[], keyFile, system, startId);
    logger.warn(
      'the API key file is deprecated: its keys are imported into the key registry; make new keys with `npm run keys` or POST /api/keys, then remove the file',
      { file: keyFile, imported, skipped },
    );
  }
  await firstStart({ people, directory, dataDir: config.dataDir, logger, meta: system, correlationId: startId });
  return {
    api: {
      auth: { keys, sessions, throttle, recordFailure, log },
      logins,
      enrolment,
      people,
      devices,
      configuration,
      sessionMaxMs: s.sessionMaxSeconds * 1000,
    },
    close: () => store_.close(),
  };
};
