import { randomBytes } from 'node:crypto';
import { IllegalStateError, NotFoundError, ValidationError } from '../../domain/errors';
import type { CommandMeta } from '../../domain/messages';
import { isRole, type Role } from '../../domain/people';
import type { LoginFailure } from '../../domain/security';
import { deterministicUuid } from '../../lib/ids';
import type { CommandHandler } from '../commandHandler';
import type { KnownKey, SecurityDirectory } from './directory';
import type { Principal } from './principal';
import { randomToken, sameHex, sha256Hex, type Secrets } from './secrets';
import type { SessionStore } from './sessionStore';

const DAY = 86_400_000;
const TOKEN = /^(k[0-9a-f]{20})\.([A-Za-z0-9_-]{43})$/;
/** Keys made without an expiry live a year; imported ones 90 days, time to replace them. */
const DEFAULT_DAYS = 365;
const IMPORTED_DAYS = 90;

export type KeyView = Omit<KnownKey, 'verifier' | 'scheme' | 'status'> & {
  status: 'active' | 'revoked' | 'expired';
  legacy: boolean;
  lastUsedAt: string | null;
};
export type NewKey = { name: string; owner: string; roles: string[]; expiresAt?: string };
export type LegacyKey = { name: string; roles: string[]; sha256: string };
export type KeyCheck = { ok: true; principal: Principal } | { ok: false; reason: LoginFailure; subject?: string };

/**
 * API keys for machines, integrations and devices: `<keyId>.<secret>`, the secret made here and
 * kept only as an HMAC under the server's pepper. A token accepted while the log is unchanged (its
 * change mark the same) is accepted again without reading its key's (and owner's) streams; any append
 * (a revocation or rotation here or by the keys CLI, a person disabled) changes the mark, so it holds
 * from the next request on.
 */
export const createApiKeyService = (deps: {
  commands: CommandHandler;
  directory: SecurityDirectory;
  secrets: Secrets;
  sessions?: SessionStore;
  now: () => Date;
  /** A mark of the log's state (the event store's `changeMark`, else its `headPosition`): accepted tokens are kept while it stays. Default: none kept. */
  logMark?: () => Promise<string | undefined>;
}) => {
  const { commands, directory, secrets } = deps;
  const used = new Map<string, number>();
  /*
   * The tokens already verified, by the SHA-256 of the token, with the verifier each matched: a known
   * token then costs one digest rather than its HMAC again. Its key's state is still read at each
   * request (revocation, expiry, rotation: a new verifier no longer matches the one remembered).
   */
  const verified = new Map<string, string>();
  const VERIFIED_MAX = 10_000;
  /*
   * The tokens accepted, by the SHA-256 of the token: the log's mark when accepted, the key's expiry and
   * the principal. Kept while the mark stays; the expiry is still checked each time.
   */
  const accepted = new Map<string, { mark: string; keyId: string; expiresAt: number; principal: Principal }>();
  const context = (commandId: string, correlationId: string) => ({ commandId, correlationId, source: 'api' as const });
  const checkName = async (name: string): Promise<void> => {
    await directory.refresh();
    if (directory.keyByName(name) || directory.person(name))
      throw new IllegalStateError(`the name ${name} is taken by another key or a person`, 'key-name-taken');
  };
  const live = async (keyId: string): Promise<KnownKey> => {
    await directory.refresh();
    const key = directory.keys().find((k) => k.keyId === keyId);
    if (!key) throw new NotFoundError(`key ${keyId} does not exist`);
    return key;
  };
  const expiry = (expiresAt: string | undefined, days: number): string =>
    expiresAt ?? new Date(deps.now().getTime() + days * DAY).toISOString();

  /** Records a key's use, at most once a minute. */
  const touch = async (keyId: string, now: number): Promise<void> => {
    if ((used.get(keyId) ?? 0) < now - 60_000) {
      used.set(keyId, now);
      await deps.sessions?.keyUsed(keyId, now);
    }
  };

  let legacyRefreshedAt = 0;
  /** The check itself: reads the key's state (and its owner's) past what this process has seen. */
  const checkNow = async (
    token: string,
    sha: string,
  ): Promise<Exclude<KeyCheck, { ok: true }> | { ok: true; principal: Principal; expiresAt: string }> => {
    const match = TOKEN.exec(token);
    let keyId = match?.[1];
    if (!keyId) {
      keyId = directory.keyIdByLegacyHash(sha);
      // any bearer lands here: the log is read again for a key imported elsewhere at most every 10 s
      if (!keyId && Date.now() - legacyRefreshedAt > 10_000) {
        legacyRefreshedAt = Date.now();
        await directory.refresh();
        keyId = directory.keyIdByLegacyHash(sha);
      }
      if (!keyId) return { ok: false, reason: 'unknown-key' };
    }
    const { state } = await commands.load('apikey', keyId);
    if (state.status === 'Initial') return { ok: false, reason: 'unknown-key', subject: keyId };
    if (verified.get(sha) !== state.verifier) {
      const presented = state.scheme === 'hmac-sha256' ? secrets.hmac(token) : sha;
      if (!sameHex(presented, state.verifier)) return { ok: false, reason: 'bad-key', subject: keyId };
      if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value as string);
      verified.set(sha, state.verifier);
    }
    if (state.status === 'Revoked') return { ok: false, reason: 'key-revoked', subject: keyId };
    const now = deps.now().getTime();
    if (Date.parse(state.expiresAt) <= now) return { ok: false, reason: 'key-expired', subject: keyId };
    const personId = state.owner.startsWith('person:') ? state.owner.slice(7) : undefined;
    if (personId && (await commands.load('person', personId)).state.status !== 'Active')
      return { ok: false, reason: 'disabled', subject: keyId };
    await touch(keyId, now);
    const deviceId = state.owner.startsWith('device:') ? state.owner.slice(7) : undefined;
    return {
      ok: true,
      expiresAt: state.expiresAt,
      principal: {
        name: state.name,
        roles: state.roles,
        via: 'key',
        keyId,
        pending: [],
        ...(personId ? { personId } : {}),
        ...(deviceId ? { deviceId } : {}),
      },
    };
  };

  const service = {
    /**
     * Makes a key; its token is in the answer once and nowhere else. A device's key is made only by its
     * registration (`forDevice`): a key owned by `device:<id>` would log operators in on that device.
     */
    async create(key: NewKey, meta: CommandMeta, correlationId: string, forDevice = false) {
      if (key.owner.startsWith('device:') !== forDevice)
        throw new ValidationError(`a key owned by ${key.owner} is made by registering the device`, [
          { path: '/owner', message: 'device keys come from POST /api/devices' },
        ]);
      await checkName(key.name);
      const owner = key.owner.startsWith('person:') ? directory.person(key.owner.slice(7)) : undefined;
      if (key.owner.startsWith('person:') && !owner)
        throw new ValidationError(`owner ${key.owner} is not a registered person`, [
          { path: '/owner', message: 'is unknown' },
        ]);
      const beyond = owner ? key.roles.filter((r) => !(owner.profile.roles as string[]).includes(r)) : [];
      if (beyond.length > 0)
        throw new IllegalStateError(
          `a person's key cannot hold roles they do not: ${beyond.join(', ')}`,
          'key-beyond-owner',
        );
      const keyId = `k${randomBytes(10).toString('hex')}`;
      const token = `${keyId}.${randomToken(32)}`;
      const expiresAt = expiry(key.expiresAt, DEFAULT_DAYS);
      await commands.handle(
        'apikey',
        keyId,
        {
          type: 'CreateApiKey',
          data: {
            keyId,
            name: key.name,
            owner: key.owner,
            roles: key.roles as Role[],
            expiresAt,
            scheme: 'hmac-sha256',
            verifier: secrets.hmac(token),
          },
          meta,
        },
        context(`key:create:${keyId}`, correlationId),
      );
      return { keyId, name: key.name, roles: key.roles, expiresAt, token };
    },
    /** A new secret for the same key (and expiry); the old token is refused from the next request on. */
    async rotate(keyId: string, expiresAt: string | undefined, meta: CommandMeta, correlationId: string) {
      const key = await live(keyId);
      const token = `${keyId}.${randomToken(32)}`;
      const until = expiry(expiresAt, DEFAULT_DAYS);
      await commands.handle(
        'apikey',
        keyId,
        { type: 'RotateApiKey', data: { keyId, verifier: secrets.hmac(token), expiresAt: until }, meta },
        context(`key:rotate:${keyId}:${randomToken(8)}`, correlationId),
      );
      return { keyId, name: key.name, roles: key.roles, expiresAt: until, token };
    },
    async revoke(keyId: string, reason: string, meta: CommandMeta, correlationId: string): Promise<void> {
      await live(keyId);
      await commands.handle(
        'apikey',
        keyId,
        { type: 'RevokeApiKey', data: { keyId, reason }, meta },
        context(`key:revoke:${keyId}`, correlationId),
      );
    },
    async list(): Promise<KeyView[]> {
      await directory.refresh();
      const lastUsed = (await deps.sessions?.keysLastUsed()) ?? new Map<string, number>();
      const now = deps.now().getTime();
      return directory.keys().map(({ verifier: _v, scheme, status, ...key }) => ({
        ...key,
        status: status === 'Revoked' ? 'revoked' : Date.parse(key.expiresAt) <= now ? 'expired' : 'active',
        legacy: scheme === 'sha256-legacy',
        lastUsedAt: lastUsed.has(key.keyId) ? new Date(lastUsed.get(key.keyId) as number).toISOString() : null,
      }));
    },
    /**
     * Keys of the old file (name, roles, SHA-256 of the token) become keys of the registry, once:
     * a name already there is left alone (so a revocation sticks). The `admin` role no longer exists.
     */
    async importLegacy(entries: LegacyKey[], file: string, meta: CommandMeta, correlationId: string) {
      await directory.refresh();
      const imported: string[] = [];
      const skipped: Array<{ name: string; why: string }> = [];
      for (const entry of entries) {
        if (directory.keyByName(entry.name)) continue;
        const roles = entry.roles.filter(isRole);
        if (roles.length === 0) {
          skipped.push({ name: entry.name, why: `no role left of ${entry.roles.join(', ')} (admin no longer exists)` });
          continue;
        }
        const keyId = `l${deterministicUuid(`legacy-key:${entry.name}`).replace(/-/g, '').slice(0, 20)}`;
        try {
          await commands.handle(
            'apikey',
            keyId,
            {
              type: 'CreateApiKey',
              data: {
                keyId,
                name: entry.name,
                owner: `file:${entry.name}`,
                roles,
                expiresAt: expiry(undefined, IMPORTED_DAYS),
                scheme: 'sha256-legacy',
                verifier: entry.sha256,
                importedFrom: file,
              },
              meta,
            },
            context(`key:import:${keyId}`, correlationId),
          );
          imported.push(entry.name);
        } catch (error) {
          if (!(error instanceof IllegalStateError)) throw error;
          skipped.push({ name: entry.name, why: error.message });
        }
      }
      return { imported, skipped };
    },
    /** Checks a bearer token against the registry; never throws for a bad token. */
    async check(token: string): Promise<KeyCheck> {
      const sha = sha256Hex(token);
      // read before the key's state: an append after it changes the mark, and the next check reads again
      const mark = await deps.logMark?.();
      const known = mark === undefined ? undefined : accepted.get(sha);
      if (known && known.mark === mark) {
        const now = deps.now().getTime();
        if (known.expiresAt > now) {
          await touch(known.keyId, now);
          return { ok: true, principal: known.principal };
        }
      }
      const checked = await checkNow(token, sha);
      if (checked.ok && mark !== undefined) {
        const expiresAt = Date.parse(checked.expiresAt);
        if (accepted.size >= VERIFIED_MAX) accepted.delete(accepted.keys().next().value as string);
        // the same principal is given to each request the token makes while kept: frozen, so none can change it
        accepted.set(sha, {
          mark,
          keyId: checked.principal.keyId as string,
          expiresAt,
          principal: Object.freeze(checked.principal),
        });
      } else accepted.delete(sha);
      return checked.ok ? { ok: true, principal: checked.principal } : checked;
    },
  };
  return service;
};

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
