import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './backboneProcess';
import { makeTempDir } from './tmp';

const BINARY =
  ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((path) => existsSync(path)) ??
  'nats-server';

export type NatsServer = {
  url: string;
  port: number;
  mqttPort: number;
  /** Stops the server and starts it again on the same ports and JetStream folder. */
  restart(): Promise<void>;
  stop(): Promise<void>;
};

const listening = async (port: number, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = netConnect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** A real nats-server on free ports: JetStream in a temp folder and the MQTT listener on. */
export const startNatsServer = async (): Promise<NatsServer> => {
  const temp = makeTempDir('mes-nats-');
  const port = await freePort();
  const mqttPort = await freePort();
  const config = join(temp.dir, 'nats.conf');
  writeFileSync(
    config,
    `server_name: test_${port}\nlisten: 127.0.0.1:${port}\njetstream { store_dir: "${join(temp.dir, 'js')}" }\nmqtt { listen: 127.0.0.1:${mqttPort} }\n`,
  );
  const launch = async (): Promise<ChildProcess> => {
    const child: ChildProcess = spawn(BINARY, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await listening(port, 10_000);
      await listening(mqttPort, 10_000);
    } catch (error) {
      child.kill('SIGKILL');
      throw new Error(`${(error as Error).message}: ${stderr}`);
    }
    return child;
  };
  const terminate = async (process: ChildProcess): Promise<void> => {
    if (process.exitCode !== null) return;
    const exited = new Promise((resolve) => process.once('exit', resolve));
    process.kill('SIGTERM');
    await exited;
  };
  let child = await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    mqttPort,
    async restart() {
      await terminate(child);
      child = await launch();
    },
    async stop() {
      await terminate(child);
      temp.remove();
    },
  };
};
