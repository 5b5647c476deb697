import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

const MAIN = resolve(__dirname, '../../src/main.ts');

export type BackboneProcess = {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** Log lines printed so far (parsed JSON). */
  logs: Array<Record<string, unknown>>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

/** Starts src/main.ts as `npm start` does, on a free port, and waits until it listens. */
export const startBackboneProcess = async (
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<BackboneProcess> => {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', MAIN], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`backbone did not start in ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
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
