export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type Logger = {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
};

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const serialise = (value: unknown): unknown =>
  value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;

/** One JSON object per line on stdout: time, level, msg and the fields given. */
export const createLogger = (
  level: LogLevel = 'info',
  write: (line: string) => void = (l) => process.stdout.write(l),
): Logger => {
  const log =
    (at: LogLevel) =>
    (msg: string, fields: Record<string, unknown> = {}): void => {
      if (ORDER[at] < ORDER[level]) return;
      const entry: Record<string, unknown> = { time: new Date().toISOString(), level: at, msg };
      for (const [key, value] of Object.entries(fields)) entry[key] = serialise(value);
      write(`${JSON.stringify(entry)}\n`);
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
};
