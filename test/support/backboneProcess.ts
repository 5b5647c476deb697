import { freePort } from '../../src/lib/freePort';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

const MAIN = resolve(__dirname, '../../src/main/main.ts');
/** Node's arguments that run the backbone from its sources (the default). */
const FROM_SOURCES = ['-r', 'ts-node/register/transpile-only', MAIN];
/** Node's arguments that run the compiled backbone, as `npm start` and the image do (`npm run build:server` first). */
export const COMPILED = [resolve(__dirname, '../../dist/main/main.js')];

export type BackboneProcess = {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** Log lines printed so far (parsed JSON). */
  logs: Array<Record<string, unknown>>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

/** A port nothing listens on now. */
export { freePort };

/**
 * Starts src/main/main.ts as `npm start` does and waits until it listens: by its startup log line, or, when
 * the log level hides it, by polling /health on a port chosen beforehand.
 */
export const startBackboneProcess = async (
  env: Record<string, string>,
  // ts-node compiles at every start: seconds on a quiet machine, several times that on a busy one
  timeoutMs = 60_000,
  entry = FROM_SOURCES,
): Promise<BackboneProcess> => {
  if (env['LOG_LEVEL'] === 'warn' || env['LOG_LEVEL'] === 'error') return startQuietly(env, timeoutMs, entry);
  const child = spawn(process.execPath, entry, {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => {
      // a backbone that never started must not outlive the test run (mocha would wait for it)
      child.kill('SIGKILL');
      reject(new Error(`backbone did not start in ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    void exited.then((code) => reject(new Error(`backbone exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry['msg'] === 'backbone started') {
          clearTimeout(timer);
          resolvePort(entry['port'] as number);
        }
      } catch {
        logs.push({ raw: line });
      }
    });
  });
  return {
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    logs,
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      return exited;
    },
  };
};

const startQuietly = async (
  env: Record<string, string>,
  timeoutMs: number,
  entry: string[],
): Promise<BackboneProcess> => {
  const port = await freePort();
  const child = spawn(process.execPath, entry, {
    env: { ...process.env, HOST: '127.0.0.1', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`backbone exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${baseUrl}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`backbone did not answer /health in ${timeoutMs} ms`);
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  return {
    child,
    port,
    baseUrl,
    logs: [],
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      return exited;
    },
  };
};
