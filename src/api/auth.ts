import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { RequestHandler } from 'express';
import type { SchemaRegistry } from '../app/schemaRegistry';
import { ForbiddenError, UnauthenticatedError } from '../domain/errors';

export const ROLES = [
  'operator',
  'quality',
  'maintenance',
  'planner',
  'analyst',
  'auditor',
  'integrator',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

export type ApiKey = { name: string; roles: Role[]; sha256: string };
export type Principal = { name: string; roles: Role[] };

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * The API keys: from the file API_KEYS_FILE names, else `$DATA_DIR/api-keys.json`. When there is
 * none, an admin key is made, its token returned once to be shown, and only its hash kept.
 */
export const loadApiKeys = (
  file: string,
  schemas: SchemaRegistry,
): { keys: ApiKey[]; created?: { name: string; token: string } } => {
  if (existsSync(file)) {
    return { keys: schemas.parse('config/apiKeys', JSON.parse(readFileSync(file, 'utf8')), `API keys ${file}`) };
  }
  const token = `mes_${randomBytes(24).toString('base64url')}`;
  const keys: ApiKey[] = [{ name: 'admin', roles: ['admin'], sha256: hashToken(token) }];
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return { keys, created: { name: 'admin', token } };
};

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    requestId?: string;
  }
}

/** Bearer token to principal; a missing or unknown token is 401. */
export const authenticate = (keys: readonly ApiKey[]): RequestHandler => {
  // tokens already checked, so a busy client is not hashed on every request (known keys only, bounded)
  const known = new Map<string, ApiKey>();
  return (req, _res, next) => {
    const header = req.get('authorization');
    const match = header ? /^Bearer ([A-Za-z0-9._~+/=-]{8,200})$/.exec(header) : null;
    if (!match) return next(new UnauthenticatedError('a bearer token is required (Authorization: Bearer <API key>)'));
    const token = match[1] as string;
    let key = known.get(token);
    if (!key) {
      const hash = hashToken(token);
      key = keys.find((k) => k.sha256 === hash);
      if (key && known.size < 1000) known.set(token, key);
    }
    if (!key) return next(new UnauthenticatedError('the API key is not known'));
    req.principal = { name: key.name, roles: key.roles };
    next();
  };
};

/** Allows the route's roles (admin always); anything else is 403. */
export const authorize =
  (roles: readonly Role[]): RequestHandler =>
  (req, _res, next) => {
    const held = req.principal?.roles ?? [];
    if (held.includes('admin') || held.some((role) => roles.includes(role))) return next();
    next(
      new ForbiddenError(
        `this route needs one of the roles ${roles.join(', ')}; ${req.principal?.name ?? 'the caller'} has ${held.join(', ') || 'none'}`,
      ),
    );
  };
