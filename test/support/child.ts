import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';

export type TsChild = { process: ChildProcess; ready: Promise<void>; exited: Promise<void>; lines: string[] };

/** Runs a TypeScript file of test/support in its own Node process; `ready` when it prints 'ready'. */
export const spawnTsChild = (script: string, args: string[], env: NodeJS.ProcessEnv = process.env): TsChild => {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', resolve(__dirname, script), ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env,
    },
  );
  const lines: string[] = [];
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const ready = new Promise<void>((done, fail) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (line === 'ready') done();
    });
    void exited.then(() => fail(new Error(`${script} exited before it was ready`)));
  });
  return { process: child, ready, exited, lines };
};
