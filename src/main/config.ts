import { resolve } from 'node:path';
import type { EventStoreSpec } from './createEventStore';
import type { SchemaRegistry } from '../app/schemaRegistry';
import { ValidationError } from '../domain/errors';
import type { LogLevel } from '../lib/logger';

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  eventStore: EventStoreSpec;
  mongoUrl: string | undefined;
  natsUrl: string | undefined;
  /** IANA zone that decides shifts and days. */
  timeZone: string;
  logLevel: LogLevel;
  /** Hex key that signs operation cards; undefined: kept in $DATA_DIR/card.key. */
  cardKey: string | undefined;
  overdueCheckSeconds: number;
  /** The maintenance due-soon list's default horizon in hours. */
  maintenanceDueSoonHours: number;
  plantConfigFile: string | undefined;
  apiKeysFile: string | undefined;
  erpOutboundUrl: string | undefined;
  wmsOutboundUrl: string | undefined;
  outboxRetrySeconds: number;
  devices: { intervalMs: number; graceMs: number; maxInFlight: number };
  security: SecurityConfig;
};

/** Sessions, login failures, passwords and the security trail (README, People and security). */
export type SecurityConfig = {
  sessionIdleSeconds: number;
  sessionMaxSeconds: number;
  loginMaxFailures: number;
  loginAddressMaxFailures: number;
  loginLockoutSeconds: number;
  passwordMinLength: number;
  securityLogRetentionDays: number;
  /** Express `trust proxy` (a hop count, `loopback`, addresses): whose X-Forwarded-For and -Proto to believe. */
  trustProxy: string | undefined;
};

const KNOWN = [
  'PORT',
  'HOST',
  'DATA_DIR',
  'EVENT_STORE',
  'ESDB_URL',
  'MONGO_URL',
  'NATS_URL',
  'PLANT_TIME_ZONE',
  'LOG_LEVEL',
  'CARD_KEY',
  'OVERDUE_CHECK_SECONDS',
  'MAINTENANCE_DUE_SOON_HOURS',
  'PLANT_CONFIG',
  'API_KEYS_FILE',
  'ERP_OUTBOUND_URL',
  'WMS_OUTBOUND_URL',
  'OUTBOX_RETRY_SECONDS',
  'DEVICE_INTERVAL_SECONDS',
  'DEVICE_GRACE_SECONDS',
  'DEVICE_MAX_IN_FLIGHT',
  'SESSION_IDLE_SECONDS',
  'SESSION_MAX_SECONDS',
  'LOGIN_MAX_FAILURES',
  'LOGIN_ADDRESS_MAX_FAILURES',
  'LOGIN_LOCKOUT_SECONDS',
  'PASSWORD_MIN_LENGTH',
  'SECURITY_LOG_RETENTION_DAYS',
  'TRUST_PROXY',
] as const;

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** Reads the configuration variables, validated against schemas/config/environment.json. */
export const loadConfig = (env: NodeJS.ProcessEnv, schemas: SchemaRegistry): Config => {
  const vars: Partial<Record<(typeof KNOWN)[number], string>> = {};
  for (const key of KNOWN) if (env[key] !== undefined && env[key] !== '') vars[key] = env[key];
  schemas.assert('config/environment', vars, 'configuration', '/env');
  const timeZone = vars.PLANT_TIME_ZONE ?? 'Asia/Shanghai';
  if (!isTimeZone(timeZone)) {
    throw new ValidationError(`PLANT_TIME_ZONE ${timeZone} is not an IANA time zone`, [
      { path: '/env/PLANT_TIME_ZONE', message: 'is not a known time zone' },
    ]);
  }
  const dataDir = resolve(vars.DATA_DIR ?? 'data');
  const kind = vars.EVENT_STORE ?? 'sqlite';
  if (kind === 'esdb' && !vars.ESDB_URL) {
    throw new ValidationError('EVENT_STORE=esdb needs ESDB_URL', [{ path: '/env/ESDB_URL', message: 'is required' }]);
  }
  return {
    port: Number(vars.PORT ?? 3000),
    host: vars.HOST ?? '0.0.0.0',
    dataDir,
    eventStore:
      kind === 'esdb'
        ? { kind: 'esdb', connectionString: vars.ESDB_URL as string }
        : { kind: 'sqlite', path: resolve(dataDir, 'events.db') },
    mongoUrl: vars.MONGO_URL,
    natsUrl: vars.NATS_URL,
    timeZone,
    logLevel: (vars.LOG_LEVEL ?? 'info') as LogLevel,
    cardKey: vars.CARD_KEY,
    overdueCheckSeconds: Number(vars.OVERDUE_CHECK_SECONDS ?? 60),
    maintenanceDueSoonHours: Number(vars.MAINTENANCE_DUE_SOON_HOURS ?? 72),
    plantConfigFile: vars.PLANT_CONFIG,
    apiKeysFile: vars.API_KEYS_FILE,
    erpOutboundUrl: vars.ERP_OUTBOUND_URL,
    wmsOutboundUrl: vars.WMS_OUTBOUND_URL,
    outboxRetrySeconds: Number(vars.OUTBOX_RETRY_SECONDS ?? 1),
    devices: {
      intervalMs: Number(vars.DEVICE_INTERVAL_SECONDS ?? 60) * 1000,
      graceMs: Number(vars.DEVICE_GRACE_SECONDS ?? 5) * 1000,
      maxInFlight: Number(vars.DEVICE_MAX_IN_FLIGHT ?? 50_000),
    },
    security: {
      sessionIdleSeconds: Number(vars.SESSION_IDLE_SECONDS ?? 1800),
      sessionMaxSeconds: Number(vars.SESSION_MAX_SECONDS ?? 43_200),
      loginMaxFailures: Number(vars.LOGIN_MAX_FAILURES ?? 5),
      loginAddressMaxFailures: Number(vars.LOGIN_ADDRESS_MAX_FAILURES ?? 20),
      loginLockoutSeconds: Number(vars.LOGIN_LOCKOUT_SECONDS ?? 900),
      passwordMinLength: Number(vars.PASSWORD_MIN_LENGTH ?? 12),
      securityLogRetentionDays: Number(vars.SECURITY_LOG_RETENTION_DAYS ?? 180),
      trustProxy: vars.TRUST_PROXY,
    },
  };
};
