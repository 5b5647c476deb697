import { readFileSync } from 'node:fs';
import { credsAuthenticator, nkeyAuthenticator, type ConnectionOptions } from 'nats';
import type { Logger } from '../lib/logger';
import type { NatsAuthConfig } from './config';
import { readSecretFile } from './httpServer';

/**
 * A NATS URL as servers plus the user and password written in it (nats.js does not read them from
 * the URL itself): `nats://user:pass@host:4222` connects as `user`.
 */
export const natsOptionsFromUrl = (url: string): ConnectionOptions => {
  const match = /^([a-z]+:\/\/)([^/@]+)@(.*)$/.exec(url);
  if (!match) return { servers: url };
  const [, scheme, userinfo, rest] = match as unknown as [string, string, string, string];
  const colon = userinfo.indexOf(':');
  const user = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const pass = colon < 0 ? undefined : decodeURIComponent(userinfo.slice(colon + 1));
  return { servers: `${scheme}${rest}`, user, ...(pass === undefined ? {} : { pass }) };
};

/** The options every NATS connection of this process uses: its credentials and TLS from configuration. */
export const natsConnectionOptions = (
  url: string,
  auth: NatsAuthConfig,
  name: string,
  logger: Logger,
): ConnectionOptions => {
  if (auth.insecure) {
    logger.warn('NATS without credentials (NATS_INSECURE=true): anyone who reaches the broker can act as the backbone');
  }
  return {
    ...natsOptionsFromUrl(url),
    name,
    ...(auth.user && auth.passwordFile
      ? { user: auth.user, pass: readSecretFile(auth.passwordFile, 'NATS_PASSWORD_FILE') }
      : {}),
    ...(auth.tokenFile ? { token: readSecretFile(auth.tokenFile, 'NATS_TOKEN_FILE') } : {}),
    ...(auth.nkeySeedFile
      ? {
          authenticator: nkeyAuthenticator(
            new TextEncoder().encode(readSecretFile(auth.nkeySeedFile, 'NATS_NKEY_SEED_FILE')),
          ),
        }
      : {}),
    ...(auth.credsFile ? { authenticator: credsAuthenticator(readFileSync(auth.credsFile)) } : {}),
    ...(auth.tls ? { tls: { ...auth.tls } } : {}),
  };
};
