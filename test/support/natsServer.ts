import { spawn, type ChildProcess } from 'node:child_process';
import { Events, type NatsConnection } from 'nats';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './backboneProcess';
import { makeTempDir } from './tmp';

export const natsBinary =
  ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((path) => existsSync(path)) ??
  'nats-server';

export type NatsServer = {
  /** The backbone's URL, its user and password in it (the backbone's account: `mes.>`, `devices.>`, JetStream). */
  url: string;
  port: number;
  mqttPort: number;
  /** The backbone's user and password (for MQTT clients in tests, which connect as it). */
  backbone: { user: string; password: string };
  /** A machine's own user: it may publish only its `devices.<site>.<machine>.>` subjects. */
  deviceUser(site: string, machineId: string): { user: string; password: string; url: string };
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

const secret = (): string => randomBytes(18).toString('base64url');

/**
 * The users of a test broker, as deploy/nats.conf defines them: no anonymous access; the backbone
 * on everything it serves; each named machine on its own device subjects only.
 */
const authorization = (backbone: { user: string; password: string }, devices: readonly Device[]): string => {
  const users = [
    `{ user: "${backbone.user}", password: "${backbone.password}", permissions: { publish: [">"], subscribe: [">"] } }`,
    ...devices.map(
      (d) =>
        `{ user: "${d.user}", password: "${d.password}", permissions: { publish: { allow: ["devices.${d.site}.${d.machineId}.>"] }, subscribe: { allow: ["_INBOX.>"] } } }`,
    ),
  ];
  return `authorization {\n  users: [\n    ${users.join('\n    ')}\n  ]\n}\n`;
};

type Device = { site: string; machineId: string; user: string; password: string };

/**
 * A real nats-server on free ports: JetStream in a temp folder, the MQTT listener on, and
 * authorization on (`devices` are the machines given users of their own).
 */
export const startNatsServer = async (
  options: { devices?: readonly { site: string; machineId: string }[] } = {},
): Promise<NatsServer> => {
  const temp = makeTempDir('mes-nats-');
  const port = await freePort();
  const mqttPort = await freePort();
  const config = join(temp.dir, 'nats.conf');
  const backbone = { user: 'backbone', password: secret() };
  const devices: Device[] = (options.devices ?? []).map((d) => ({
    ...d,
    user: `device-${d.site}-${d.machineId}`,
    password: secret(),
  }));
  writeFileSync(
    config,
    `server_name: test_${port}\nlisten: 127.0.0.1:${port}\njetstream { store_dir: "${join(temp.dir, 'js')}" }\nmqtt { listen: 127.0.0.1:${mqttPort} }\n${authorization(backbone, devices)}`,
  );
  const launch = async (): Promise<ChildProcess> => {
    const child: ChildProcess = spawn(natsBinary, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
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
    url: `nats://${backbone.user}:${backbone.password}@127.0.0.1:${port}`,
    port,
    mqttPort,
    backbone,
    deviceUser(site, machineId) {
      const found = devices.find((d) => d.site === site && d.machineId === machineId);
      if (!found) throw new Error(`the test broker has no user for ${site}/${machineId}`);
      return {
        user: found.user,
        password: found.password,
        url: `nats://${found.user}:${found.password}@127.0.0.1:${port}`,
      };
    },
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

/** What the broker refused one connection (a permissions violation arrives as an error status, by its code). */
export const brokerRefusals = (nc: NatsConnection): string[] => {
  const seen: string[] = [];
  void (async () => {
    for await (const status of nc.status()) if (status.type === Events.Error) seen.push(JSON.stringify(status.data));
  })();
  return seen;
};
