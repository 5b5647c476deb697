// npm run keys -- create --name erp --roles integrator [--owner system:erp] [--days 365 | --expires <ISO date>]
// npm run keys -- list
// npm run keys -- revoke <keyId or name> [--reason "..."]
// npm run keys -- rotate <keyId or name> [--days 365 | --expires <ISO date>]
// npm run keys -- rotate-card   (the key that signs operation cards; README, Card keys and rotation)
// Works on the event log of DATA_DIR (or EVENT_STORE/ESDB_URL) directly, so it works with the backbone
// stopped; a running backbone reads a key's stream on each request, so what this does holds at its next request.
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { createSqliteSessionStore } from '../src/adapters/sessions/sqliteSessionStore';
import { createEventCodec } from '../src/adapters/eventstore/eventCodec';
import { createCommandHandler } from '../src/app/commandHandler';
import { loadSchemaRegistry } from '../src/app/schemaRegistry';
import { createApiKeyService } from '../src/app/security/apiKeys';
import { createSecurityDirectory } from '../src/app/security/directory';
import { createSecrets } from '../src/app/security/secrets';
import { createSecurityLog } from '../src/app/security/securityLog';
import { isKnownError, ValidationError } from '../src/domain/errors';
import { upcasters } from '../src/domain/upcasters';
import { rotateCardKey } from '../src/main/cardKey';
import { loadConfig } from '../src/main/config';
import { createEventStore } from '../src/main/createEventStore';
import { loadPepper } from '../src/main/security';

const USAGE =
  'usage: npm run keys -- create --name <name> --roles <a,b> [--owner <kind:id>] [--days <n> | --expires <ISO>] | list | revoke <keyId|name> [--reason <text>] | rotate <keyId|name> [--days <n> | --expires <ISO>] | rotate-card';

const parse = (argv: string[]): { command: string; target?: string; flags: Record<string, string> } => {
  const [command = '', ...rest] = argv;
  const flags: Record<string, string> = {};
  let target: string | undefined;
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i] as string;
    if (arg.startsWith('--')) flags[arg.slice(2)] = rest[(i += 1)] ?? '';
    else target = arg;
  }
  return { command, ...(target ? { target } : {}), flags };
};

const expiryOf = (flags: Record<string, string>): string | undefined => {
  if (flags['expires']) {
    if (Number.isNaN(Date.parse(flags['expires'])))
      throw new ValidationError('--expires is not a date', [{ path: '/expires', message: 'must be an ISO 8601 date' }]);
    return new Date(flags['expires']).toISOString();
  }
  if (!flags['days']) return undefined;
  const days = Number(flags['days']);
  if (!Number.isInteger(days) || days < 1 || days > 3650)
    throw new ValidationError('--days is 1 to 3650', [{ path: '/days', message: 'must be a whole number of days' }]);
  return new Date(Date.now() + days * 86_400_000).toISOString();
};

const main = async (): Promise<void> => {
  const { command, target, flags } = parse(process.argv.slice(2));
  const schemas = loadSchemaRegistry();
  const config = loadConfig(process.env, schemas);
  const store = await createEventStore(config.eventStore, createEventCodec(schemas, upcasters));
  const sessions = createSqliteSessionStore(join(config.dataDir, 'sessions.db'));
  const directory = createSecurityDirectory(store);
  const keys = createApiKeyService({
    commands: createCommandHandler({ store }),
    directory,
    secrets: createSecrets(loadPepper(config.dataDir)),
    sessions,
    now: () => new Date(),
  });
  const meta = { now: new Date().toISOString(), actor: `cli:${userInfo().username}` };
  const correlationId = `keys-cli:${Date.now()}`;
  const idOf = async (nameOrId: string | undefined): Promise<string> => {
    if (!nameOrId)
      throw new ValidationError(`${command} needs a key id or name`, [{ path: '/key', message: 'is required' }]);
    await directory.refresh();
    return directory.keyByName(nameOrId)?.keyId ?? nameOrId;
  };
  try {
    switch (command) {
      case 'create': {
        const roles = (flags['roles'] ?? '').split(',').filter(Boolean);
        if (!flags['name'])
          throw new ValidationError('create needs --name', [{ path: '/name', message: 'is required' }]);
        const expiresAt = expiryOf(flags);
        const key = await keys.create(
          {
            name: flags['name'],
            owner: flags['owner'] ?? `system:${flags['name']}`,
            roles,
            ...(expiresAt ? { expiresAt } : {}),
          },
          meta,
          correlationId,
        );
        process.stdout.write(
          `key ${key.keyId} (${key.name}, ${key.roles.join(', ')}) expires ${key.expiresAt}\ntoken (shown once, only its HMAC is kept):\n${key.token}\n`,
        );
        break;
      }
      case 'list':
        for (const k of await keys.list())
          process.stdout.write(
            `${k.keyId}  ${k.name.padEnd(24)} ${k.status.padEnd(8)} ${k.roles.join(',').padEnd(30)} owner ${k.owner}  expires ${k.expiresAt}  last used ${k.lastUsedAt ?? 'never'}${k.legacy ? '  (imported from the old key file)' : ''}\n`,
          );
        break;
      case 'revoke': {
        const keyId = await idOf(target);
        await keys.revoke(keyId, flags['reason'] ?? 'revoked with the keys CLI', meta, correlationId);
        process.stdout.write(`key ${keyId} revoked: refused from the next request on\n`);
        break;
      }
      case 'rotate': {
        const key = await keys.rotate(await idOf(target), expiryOf(flags), meta, correlationId);
        process.stdout.write(
          `key ${key.keyId} rotated, expires ${key.expiresAt}; the old token is refused from now\ntoken (shown once):\n${key.token}\n`,
        );
        break;
      }
      case 'rotate-card': {
        if (config.cardKey)
          throw new ValidationError(
            'the card key is set by CARD_KEY and is not rotated: unset it to keep card keys in the data folder',
            [{ path: '/env/CARD_KEY', message: 'is set' }],
          );
        const rotation = rotateCardKey(config.dataDir, { windowHours: config.cardKeyRotationWindowHours });
        const log = createSecurityLog({
          store,
          directory,
          now: () => new Date(),
          retentionDays: config.security.securityLogRetentionDays,
        });
        await log.record(
          {
            type: 'CardKeyRotated',
            data: { keyId: rotation.current, retiredKeyId: rotation.retired, validUntil: rotation.validUntil },
          },
          meta.actor,
          correlationId,
        );
        process.stdout.write(
          `card key ${rotation.current} signs new cards from now; cards of ${rotation.retired} are accepted until ${rotation.validUntil}: reprint the cards in use before then\n`,
        );
        break;
      }
      default:
        throw new ValidationError(USAGE, [
          {
            path: '/command',
            message: `${command || 'nothing'} is not create, list, revoke, rotate or rotate-card`,
          },
        ]);
    }
  } finally {
    await sessions.close();
    await store.close();
  }
};

main().catch((error: unknown) => {
  process.stderr.write(
    `keys: ${isKnownError(error) ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
