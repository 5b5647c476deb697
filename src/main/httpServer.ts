import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Express } from 'express';
import { ValidationError } from '../domain/errors';
import type { Config } from './config';

/** A secret kept in a file (a token): its first line, refused when empty. */
export const readSecretFile = (path: string, variable: string): string => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ValidationError(
      `${variable} ${path} cannot be read`,
      [{ path: `/env/${variable}`, message: 'cannot be read' }],
      {
        cause,
      },
    );
  }
  const secret = text.split('\n')[0]?.trim() ?? '';
  if (secret.length < 16)
    throw new ValidationError(`${variable} ${path} holds no secret of 16 characters or more`, [
      { path: `/env/${variable}`, message: 'must hold a secret of at least 16 characters' },
    ]);
  return secret;
};

/**
 * The HTTP(S) server: TLS when a certificate and key are configured, and Node's limits set rather
 * than left at their defaults: a slow client's headers and request are cut off, connections capped.
 */
export const listen = async (app: Express, config: Config): Promise<Server> => {
  const { http } = config;
  // the timeouts are enforced when Node checks its connections: each second, not the default 30
  const options = { connectionsCheckingInterval: 1000 };
  const server: Server = http.tls
    ? createHttpsServer({ ...options, cert: readFileSync(http.tls.certFile), key: readFileSync(http.tls.keyFile) }, app)
    : createHttpServer(options, app);
  server.headersTimeout = http.headersTimeoutMs;
  server.requestTimeout = http.requestTimeoutMs;
  server.maxConnections = http.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
};
