import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { EventStoreSpec } from './createEventStore';
import type { SchemaRegistry } from '../app/schemaRegistry';
import { ValidationError } from '../domain/errors';
import type { LogLevel } from '../lib/logger';
import type { ConfigAlerts, ConfigOpcuaMachine } from '../domain/generated';

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  eventStore: EventStoreSpec;
  mongoUrl: string | undefined;
  natsUrl: string | undefined;
  /** How the backbone proves itself to NATS (README, Brokers). */
  natsAuth: NatsAuthConfig;
  /** IANA zone that decides shifts and days. */
  timeZone: string;
  logLevel: LogLevel;
  /** Hex key that signs operation cards; undefined: kept in $DATA_DIR/card.key. */
  cardKey: string | undefined;
  /** How long a rotated-out card key still verifies the cards it signed, in hours. */
  cardKeyRotationWindowHours: number;
  overdueCheckSeconds: number;
  /**
   * How far V8 lets the heap grow past what a full collection left live, in percent (V8's
   * --heap-growing-percent); 0: V8's own factor, up to 4 times on a machine with memory to spare.
   */
  heapGrowingPercent: number;
  /** The maintenance due-soon list's default horizon in hours. */
  maintenanceDueSoonHours: number;
  /** Telemetry kept at the interval and per hour (hours of device time behind each series' newest). */
  telemetryRetention: { intervalHours: number; hourlyHours: number };
  plantConfigFile: string | undefined;
  apiKeysFile: string | undefined;
  erpOutboundUrl: string | undefined;
  wmsOutboundUrl: string | undefined;
  outboxRetrySeconds: number;
  /** Secrets for the outbound HTTP calls (README, HTTP hardening). */
  outbound: { erpTokenFile?: string; wmsTokenFile?: string; hmacKeyFile?: string };
  devices: { intervalMs: number; graceMs: number; maxInFlight: number };
  /** How far ahead of the server's time a client's time (a scan's, a device's) may be. Default 300. */
  clientClockSkewSeconds: number;
  security: SecurityConfig;
  proof: ProofConfig;
  http: HttpConfig;
  /** Alerts (README, Alerts): the robots and subscriptions of ALERTS_FILE, and ALERT_MACHINE_DOWN_MINUTES. */
  alerts: AlertsConfig;
  /** OPC UA machines read as a client (README, OPC UA): OPCUA_FILE's machines, their files resolved; none without it. */
  opcua: ConfigOpcuaMachine[];
};

export type AlertsConfig = {
  /** A machine down longer than this raises a machine-down alert. Default 15. */
  machineDownMinutes: number;
  /** ALERTS_FILE as read and validated at start (none: no robots, the default subscriptions). */
  settings: ConfigAlerts;
};

export type NatsAuthConfig = {
  user?: string;
  passwordFile?: string;
  tokenFile?: string;
  nkeySeedFile?: string;
  credsFile?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** No credentials, on purpose: warned at every start. */
  insecure: boolean;
};

/** The HTTP server's transport limits and exposure (README, HTTP hardening). */
export type HttpConfig = {
  tls: { certFile: string; keyFile: string } | undefined;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxConnections: number;
  metricsTokenFile: string | undefined;
  publicDocs: boolean;
  idempotencyRetentionHours: number;
  streams: { total: number; perPrincipal: number };
};

/** The log-wide Merkle proof: checkpoints, their key and their witnesses (README, Proof). */
export type ProofConfig = {
  everyEvents: number;
  everySeconds: number;
  signingKeyFile: string;
  keysDir: string;
  witnessFile: string;
  witnessUrl: string | undefined;
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
  'CARD_KEY_ROTATION_WINDOW_HOURS',
  'OVERDUE_CHECK_SECONDS',
  'HEAP_GROWING_PERCENT',
  'MAINTENANCE_DUE_SOON_HOURS',
  'TELEMETRY_RETENTION_DAYS',
  'TELEMETRY_HOURLY_RETENTION_DAYS',
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
  'PROOF_CHECKPOINT_EVENTS',
  'PROOF_CHECKPOINT_SECONDS',
  'PROOF_SIGNING_KEY_FILE',
  'PROOF_KEYS_DIR',
  'PROOF_WITNESS_FILE',
  'PROOF_WITNESS_URL',
  'TLS_CERT_FILE',
  'TLS_KEY_FILE',
  'HTTP_HEADERS_TIMEOUT_SECONDS',
  'HTTP_REQUEST_TIMEOUT_SECONDS',
  'HTTP_MAX_CONNECTIONS',
  'METRICS_TOKEN_FILE',
  'API_DOCS_PUBLIC',
  'IDEMPOTENCY_RETENTION_HOURS',
  'SSE_MAX_STREAMS',
  'SSE_MAX_STREAMS_PER_CALLER',
  'NATS_USER',
  'NATS_PASSWORD_FILE',
  'NATS_TOKEN_FILE',
  'NATS_NKEY_SEED_FILE',
  'NATS_CREDS_FILE',
  'NATS_TLS_CA_FILE',
  'NATS_TLS_CERT_FILE',
  'NATS_TLS_KEY_FILE',
  'NATS_INSECURE',
  'ERP_OUTBOUND_TOKEN_FILE',
  'WMS_OUTBOUND_TOKEN_FILE',
  'OUTBOUND_HMAC_KEY_FILE',
  'OUTBOUND_INSECURE',
  'CLIENT_CLOCK_SKEW_SECONDS',
  'ALERTS_FILE',
  'ALERT_MACHINE_DOWN_MINUTES',
  'OPCUA_FILE',
] as const;

type Vars = Partial<Record<(typeof KNOWN)[number], string>>;

/**
 * The heap grows to half again what a full collection left live (issue 19's soak: V8's own factor let
 * 40-60 MB live grow to 190-220 MB of heap, and the process past 300 MB resident).
 */
export const DEFAULT_HEAP_GROWING_PERCENT = 50;

const refuse = (name: string, message: string, problem: string): never => {
  throw new ValidationError(`configuration is invalid: ${message}`, [{ path: `/env/${name}`, message: problem }]);
};

/** PORT first and in words: the schema's pattern would say only that it does not match. */
const checkPort = (vars: Vars): void => {
  const port = vars.PORT;
  if (port === undefined) return;
  if (!/^[0-9]{1,5}$/.test(port) || Number(port) > 65_535)
    refuse('PORT', `/env/PORT ${port} is not a port number (1 to 65535, or 0 for any free port)`, 'must be 0 to 65535');
};

/** A file the configuration names must be there and readable now, not after the data folder is made. */
const checkFile = (name: keyof Vars, path: string | undefined): void => {
  if (path === undefined) return;
  try {
    if (!statSync(path).isFile()) refuse(name, `${name} ${path} is not a file`, 'is not a file');
    accessSync(path, constants.R_OK);
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    refuse(
      name,
      `${name} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      'cannot be read',
    );
  }
};

/** The data folder is made at start if missing: it, or the nearest folder above it that exists, must be writable. */
const checkDataDir = (dataDir: string): void => {
  let existing = dataDir;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) refuse('DATA_DIR', `DATA_DIR ${existing} is not a folder`, 'is not a folder');
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    refuse('DATA_DIR', `DATA_DIR ${dataDir} cannot be made or written (${existing})`, 'cannot be written');
  }
};

/** The contents of the JSON files named, against their schemas: a bad one stops the start before anything is written. */
const checkJsonFile = (schemas: SchemaRegistry, name: keyof Vars, path: string | undefined, schema: string): void => {
  if (path === undefined) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    refuse(name, `${name} ${path} is not JSON: ${(error as Error).message}`, 'is not JSON');
  }
  schemas.assert(schema, parsed, `${name} ${path}`, `/env/${name}`);
};

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/**
 * NATS credentials: a user and password file, a token file, an NKey seed file or a creds file (or a
 * user and password in NATS_URL); TLS from a CA and an optional client certificate. With NATS_URL
 * and none of them, the start is refused unless NATS_INSECURE=true says it is meant.
 */
const natsAuthOf = (vars: Vars): NatsAuthConfig => {
  const file = (value: string | undefined) => (value ? resolve(value) : undefined);
  if ((vars.NATS_USER === undefined) !== (vars.NATS_PASSWORD_FILE === undefined)) {
    refuse(
      vars.NATS_USER === undefined ? 'NATS_USER' : 'NATS_PASSWORD_FILE',
      'NATS_USER and NATS_PASSWORD_FILE go together',
      'is required with the other',
    );
  }
  if ((vars.NATS_TLS_CERT_FILE === undefined) !== (vars.NATS_TLS_KEY_FILE === undefined)) {
    refuse(
      vars.NATS_TLS_CERT_FILE === undefined ? 'NATS_TLS_CERT_FILE' : 'NATS_TLS_KEY_FILE',
      'NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together',
      'is required with the other',
    );
  }
  const insecure = vars.NATS_INSECURE === 'true';
  const inUrl = vars.NATS_URL ? /^[a-z]+:\/\/[^/@]+@/.test(vars.NATS_URL) : false;
  const hasCredentials =
    inUrl || [vars.NATS_USER, vars.NATS_TOKEN_FILE, vars.NATS_NKEY_SEED_FILE, vars.NATS_CREDS_FILE].some(Boolean);
  if (vars.NATS_URL && !hasCredentials && !insecure) {
    refuse(
      'NATS_URL',
      'NATS_URL needs credentials (NATS_USER with NATS_PASSWORD_FILE, NATS_TOKEN_FILE, NATS_NKEY_SEED_FILE or NATS_CREDS_FILE), or NATS_INSECURE=true to connect without',
      'needs credentials',
    );
  }
  const tls =
    vars.NATS_TLS_CA_FILE || vars.NATS_TLS_CERT_FILE
      ? {
          ...(vars.NATS_TLS_CA_FILE ? { caFile: resolve(vars.NATS_TLS_CA_FILE) } : {}),
          ...(vars.NATS_TLS_CERT_FILE ? { certFile: resolve(vars.NATS_TLS_CERT_FILE) } : {}),
          ...(vars.NATS_TLS_KEY_FILE ? { keyFile: resolve(vars.NATS_TLS_KEY_FILE) } : {}),
        }
      : undefined;
  return {
    ...(vars.NATS_USER ? { user: vars.NATS_USER } : {}),
    ...(vars.NATS_PASSWORD_FILE ? { passwordFile: file(vars.NATS_PASSWORD_FILE) } : {}),
    ...(vars.NATS_TOKEN_FILE ? { tokenFile: file(vars.NATS_TOKEN_FILE) } : {}),
    ...(vars.NATS_NKEY_SEED_FILE ? { nkeySeedFile: file(vars.NATS_NKEY_SEED_FILE) } : {}),
    ...(vars.NATS_CREDS_FILE ? { credsFile: file(vars.NATS_CREDS_FILE) } : {}),
    ...(tls ? { tls } : {}),
    insecure: insecure && !hasCredentials,
  };
};

/**
 * ALERTS_FILE against its schema; its robots' URLs are https:// unless OUTBOUND_INSECURE=true (as every
 * outbound URL), and their secret files must be readable now.
 */
const alertsOf = (schemas: SchemaRegistry, vars: Vars): ConfigAlerts => {
  const path = vars.ALERTS_FILE;
  if (path === undefined) return {};
  checkFile('ALERTS_FILE', path);
  checkJsonFile(schemas, 'ALERTS_FILE', path, 'config/alerts');
  const settings = JSON.parse(readFileSync(path, 'utf8')) as ConfigAlerts;
  const webhooks = (settings.webhooks ?? []).map((webhook, index) => {
    if (webhook.url.startsWith('http://') && vars.OUTBOUND_INSECURE !== 'true')
      refuse(
        'ALERTS_FILE',
        `ALERTS_FILE ${path}: /webhooks/${index}/url must be https:// (or set OUTBOUND_INSECURE=true)`,
        `/webhooks/${index}/url must be https://`,
      );
    if (webhook.secretFile === undefined) return webhook;
    // relative to the alerts file, where its author wrote it
    const secretFile = resolve(dirname(path), webhook.secretFile);
    checkFile('ALERTS_FILE', secretFile);
    return { ...webhook, secretFile };
  });
  return { ...settings, ...(settings.webhooks ? { webhooks } : {}) };
};

/**
 * OPCUA_FILE against its schema; each machine once, its security mode and policy both None or neither,
 * and the password, certificate and key files it names (relative to the file) readable now.
 */
const opcuaOf = (schemas: SchemaRegistry, vars: Vars): ConfigOpcuaMachine[] => {
  const path = vars.OPCUA_FILE;
  if (path === undefined) return [];
  checkFile('OPCUA_FILE', path);
  checkJsonFile(schemas, 'OPCUA_FILE', path, 'config/opcua');
  const { machines } = JSON.parse(readFileSync(path, 'utf8')) as { machines: ConfigOpcuaMachine[] };
  const file = (name: string): string => {
    const resolved = resolve(dirname(path), name);
    checkFile('OPCUA_FILE', resolved);
    return resolved;
  };
  const seen = new Set<string>();
  return machines.map((machine, index) => {
    if (seen.has(machine.machineId))
      refuse(
        'OPCUA_FILE',
        `OPCUA_FILE ${path}: /machines/${index}/machineId ${machine.machineId} is listed twice`,
        `/machines/${index}/machineId is listed twice`,
      );
    seen.add(machine.machineId);
    if (((machine.securityMode ?? 'None') === 'None') !== ((machine.securityPolicy ?? 'None') === 'None'))
      refuse(
        'OPCUA_FILE',
        `OPCUA_FILE ${path}: /machines/${index} securityMode and securityPolicy must both be None or neither`,
        `/machines/${index}/securityPolicy does not match securityMode`,
      );
    const { user, clientCertificate } = machine;
    return {
      ...machine,
      ...(user
        ? {
            user:
              'userName' in user
                ? { ...user, passwordFile: file(user.passwordFile) }
                : { certificateFile: file(user.certificateFile), privateKeyFile: file(user.privateKeyFile) },
          }
        : {}),
      ...(clientCertificate
        ? {
            clientCertificate: {
              certificateFile: file(clientCertificate.certificateFile),
              privateKeyFile: file(clientCertificate.privateKeyFile),
            },
          }
        : {}),
    };
  });
};

/**
 * Reads the configuration variables, validated against schemas/config/environment.json, and checks the
 * files and folder they name: all before the start writes anything (a refusal names the variable).
 */
export const loadConfig = (env: NodeJS.ProcessEnv, schemas: SchemaRegistry): Config => {
  const vars: Vars = {};
  for (const key of KNOWN) if (env[key] !== undefined && env[key] !== '') vars[key] = env[key];
  checkPort(vars);
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
  if ((vars.TLS_CERT_FILE === undefined) !== (vars.TLS_KEY_FILE === undefined)) {
    const missing = vars.TLS_CERT_FILE === undefined ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE';
    throw new ValidationError('TLS needs both TLS_CERT_FILE and TLS_KEY_FILE', [
      { path: `/env/${missing}`, message: 'is required with the other' },
    ]);
  }
  const natsAuth = natsAuthOf(vars);
  // messages about orders and lots, and the log's checkpoints, leave the host over TLS unless said otherwise
  if (vars.OUTBOUND_INSECURE !== 'true') {
    for (const name of ['ERP_OUTBOUND_URL', 'WMS_OUTBOUND_URL', 'PROOF_WITNESS_URL'] as const) {
      if (vars[name]?.startsWith('http://')) {
        refuse(name, `${name} must be https:// (or set OUTBOUND_INSECURE=true)`, 'must be https://');
      }
    }
  }
  // its form (a whole percentage, 0 to 999) is checked by the environment's schema
  const heapGrowingPercent = vars.HEAP_GROWING_PERCENT ?? String(DEFAULT_HEAP_GROWING_PERCENT);
  const headersTimeoutMs = Number(vars.HTTP_HEADERS_TIMEOUT_SECONDS ?? 20) * 1000;
  const requestTimeoutMs = Number(vars.HTTP_REQUEST_TIMEOUT_SECONDS ?? 60) * 1000;
  if (requestTimeoutMs <= headersTimeoutMs) {
    throw new ValidationError('HTTP_REQUEST_TIMEOUT_SECONDS must be longer than HTTP_HEADERS_TIMEOUT_SECONDS', [
      { path: '/env/HTTP_REQUEST_TIMEOUT_SECONDS', message: `must be more than ${headersTimeoutMs / 1000}` },
    ]);
  }

  checkDataDir(dataDir);
  checkFile('PLANT_CONFIG', vars.PLANT_CONFIG);
  checkJsonFile(schemas, 'PLANT_CONFIG', vars.PLANT_CONFIG, 'config/plant');
  const alerts = alertsOf(schemas, vars);
  const opcua = opcuaOf(schemas, vars);
  checkFile('API_KEYS_FILE', vars.API_KEYS_FILE);
  // the old key file, named or in the data folder, is imported at start: read now, before anything is written
  const keyFile = vars.API_KEYS_FILE ?? join(dataDir, 'api-keys.json');
  checkJsonFile(schemas, 'API_KEYS_FILE', existsSync(keyFile) ? keyFile : undefined, 'config/apiKeys');
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
    natsAuth,
    timeZone,
    logLevel: (vars.LOG_LEVEL ?? 'info') as LogLevel,
    cardKey: vars.CARD_KEY,
    cardKeyRotationWindowHours: Number(vars.CARD_KEY_ROTATION_WINDOW_HOURS ?? 720),
    overdueCheckSeconds: Number(vars.OVERDUE_CHECK_SECONDS ?? 60),
    heapGrowingPercent: Number(heapGrowingPercent),
    maintenanceDueSoonHours: Number(vars.MAINTENANCE_DUE_SOON_HOURS ?? 72),
    telemetryRetention: {
      intervalHours: Number(vars.TELEMETRY_RETENTION_DAYS ?? 7) * 24,
      hourlyHours: Number(vars.TELEMETRY_HOURLY_RETENTION_DAYS ?? 400) * 24,
    },
    plantConfigFile: vars.PLANT_CONFIG,
    apiKeysFile: vars.API_KEYS_FILE,
    erpOutboundUrl: vars.ERP_OUTBOUND_URL,
    wmsOutboundUrl: vars.WMS_OUTBOUND_URL,
    outboxRetrySeconds: Number(vars.OUTBOX_RETRY_SECONDS ?? 1),
    outbound: {
      ...(vars.ERP_OUTBOUND_TOKEN_FILE ? { erpTokenFile: resolve(vars.ERP_OUTBOUND_TOKEN_FILE) } : {}),
      ...(vars.WMS_OUTBOUND_TOKEN_FILE ? { wmsTokenFile: resolve(vars.WMS_OUTBOUND_TOKEN_FILE) } : {}),
      ...(vars.OUTBOUND_HMAC_KEY_FILE ? { hmacKeyFile: resolve(vars.OUTBOUND_HMAC_KEY_FILE) } : {}),
    },
    devices: {
      intervalMs: Number(vars.DEVICE_INTERVAL_SECONDS ?? 60) * 1000,
      graceMs: Number(vars.DEVICE_GRACE_SECONDS ?? 5) * 1000,
      maxInFlight: Number(vars.DEVICE_MAX_IN_FLIGHT ?? 50_000),
    },
    clientClockSkewSeconds: Number(vars.CLIENT_CLOCK_SKEW_SECONDS ?? 300),
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
    proof: {
      everyEvents: Number(vars.PROOF_CHECKPOINT_EVENTS ?? 1000),
      everySeconds: Number(vars.PROOF_CHECKPOINT_SECONDS ?? 60),
      signingKeyFile: resolve(vars.PROOF_SIGNING_KEY_FILE ?? resolve(dataDir, 'proof-signing.key')),
      keysDir: resolve(vars.PROOF_KEYS_DIR ?? resolve(dataDir, 'proof-keys')),
      witnessFile: resolve(vars.PROOF_WITNESS_FILE ?? resolve(dataDir, 'checkpoints.witness.jsonl')),
      witnessUrl: vars.PROOF_WITNESS_URL,
    },
    http: {
      tls:
        vars.TLS_CERT_FILE && vars.TLS_KEY_FILE
          ? { certFile: resolve(vars.TLS_CERT_FILE), keyFile: resolve(vars.TLS_KEY_FILE) }
          : undefined,
      headersTimeoutMs,
      requestTimeoutMs,
      maxConnections: Number(vars.HTTP_MAX_CONNECTIONS ?? 2000),
      metricsTokenFile: vars.METRICS_TOKEN_FILE ? resolve(vars.METRICS_TOKEN_FILE) : undefined,
      publicDocs: vars.API_DOCS_PUBLIC === 'true',
      idempotencyRetentionHours: Number(vars.IDEMPOTENCY_RETENTION_HOURS ?? 24),
      streams: {
        total: Number(vars.SSE_MAX_STREAMS ?? 500),
        perPrincipal: Number(vars.SSE_MAX_STREAMS_PER_CALLER ?? 10),
      },
    },
    alerts: { machineDownMinutes: Number(vars.ALERT_MACHINE_DOWN_MINUTES ?? 15), settings: alerts },
    opcua,
  };
};
