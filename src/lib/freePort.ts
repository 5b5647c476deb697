import { createServer, type AddressInfo } from 'node:net';

/** A TCP port free on the loopback now (the OS picks it; the caller binds it next). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
