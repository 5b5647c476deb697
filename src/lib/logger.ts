import pino, { type DestinationStream } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type Logger = {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Whether entries at `level` are written: a caller whose fields cost something to build asks first. */
  enabled(level: LogLevel): boolean;
};

/** Keys whose values never reach a log, at the top level and one level down (`headers.authorization`). */
const SECRET_KEYS = ['authorization', 'token', 'password', 'secret', 'apiKey', 'cookie', 'set-cookie'];
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [`["${key}"]`, `*["${key}"]`]);

// the userinfo of a URL: `scheme://user:password@` or `scheme://token@`, up to the host
const URL_USERINFO = /\b([a-z][a-z\d+.-]*:\/\/)([^\s/?#@]*)@/gi;

/** `nats://user:pass@host` -> `nats://user:***@host`; `nats://token@host` -> `nats://***@host`. */
export const maskUrlCredentials = (text: string): string =>
  text.replace(URL_USERINFO, (_match, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return `${scheme}${colon < 0 ? '***' : `${userinfo.slice(0, colon)}:***`}@`;
  });

const MAX_DEPTH = 8;

/**
 * The fields as they will be written: errors anywhere (nested, or as a cause) become
 * `{ type, message, stack, cause }` rather than `{}`, and credentials in URL strings are masked.
 * Cycles are cut here, BigInts are left to pino's safe stringify.
 */
const clean = (value: unknown, ancestors: object[] = []): unknown => {
  if (typeof value === 'string') return maskUrlCredentials(value);
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.includes(value)) return '[Circular]';
  if (ancestors.length >= MAX_DEPTH) return '[Object]';
  const path = [...ancestors, value];
  if (value instanceof Error) return clean(pino.stdSerializers.errWithCause(value), path);
  if (Array.isArray(value)) return value.map((item) => clean(item, path));
  // as JSON.stringify would write it (a Date, a URL, a Buffer), then cleaned
  const { toJSON } = value as { toJSON?: unknown };
  if (typeof toJSON === 'function') return clean(toJSON.call(value), path);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, clean(item, path)]));
};

/** Standard output, written synchronously as `process.stdout` is on a pipe: no line lost at exit. */
export const stdoutDestination = (): DestinationStream => pino.destination({ dest: 1, sync: true });

/**
 * Every entry at `level` or above to a file (its folder made), and warnings and errors to stderr too:
 * the demo's, whose terminal shows its progress rather than a line per request.
 */
export const fileDestination = (file: string, level: LogLevel): DestinationStream =>
  pino.multistream([
    { level, stream: pino.destination({ dest: file, sync: false, mkdir: true }) },
    { level: 'warn', stream: pino.destination({ dest: 2, sync: true }) },
  ]);

/**
 * One JSON object per line: `level` (its name), `time` (ISO 8601), `msg` and the fields given.
 * Secrets are redacted by key, URL credentials masked, errors kept whole with their causes.
 */
export const createLogger = (
  level: LogLevel = 'info',
  destination: DestinationStream = stdoutDestination(),
): Logger => {
  const log = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => clean(fields) as Record<string, unknown>,
      },
    },
    destination,
  );
  const at =
    (name: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (log.isLevelEnabled(name)) log[name](fields ?? {}, maskUrlCredentials(message));
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    enabled: (name) => log.isLevelEnabled(name),
  };
};
