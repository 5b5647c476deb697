import { IllegalStateError, NotFoundError, ValidationError } from '../errors';
import { unreachable, type Command, type Decider } from '../messages';
import { dutyConflicts, isRole, type Role } from '../people/roles';
import { apiKeyEventTypes, evolveApiKey, type ApiKeyCreated, type ApiKeyEvent, type ApiKeyState } from './events';

export type CreateApiKey = Command<'CreateApiKey', ApiKeyCreated['data']>;
export type RotateApiKey = Command<'RotateApiKey', { keyId: string; verifier: string; expiresAt: string }>;
export type RevokeApiKey = Command<'RevokeApiKey', { keyId: string; reason: string }>;
export type ApiKeyCommand = CreateApiKey | RotateApiKey | RevokeApiKey;

const future = (expiresAt: string, now: string): void => {
  if (Date.parse(expiresAt) <= Date.parse(now))
    throw new ValidationError('a key must expire in the future', [{ path: '/expiresAt', message: 'is not after now' }]);
};

const checkRoles = (roles: readonly string[]): Role[] => {
  const unknown = roles.filter((role) => !isRole(role));
  if (roles.length === 0 || unknown.length > 0)
    throw new ValidationError('a key needs one or more known roles', [
      { path: '/roles', message: unknown.length > 0 ? `${unknown.join(', ')} is not a role` : 'must not be empty' },
    ]);
  const conflicts = dutyConflicts(roles);
  if (conflicts.length > 0)
    throw new IllegalStateError(`one key may not hold ${conflicts.join(', ')}`, 'duties-not-separated');
  return [...new Set(roles)] as Role[];
};

/** An API key: made with its roles and expiry, rotated (a new secret, the old one refused), revoked for good. */
export const decideApiKey = (command: ApiKeyCommand, state: ApiKeyState): ApiKeyEvent[] => {
  const { keyId } = command.data;
  switch (command.type) {
    case 'CreateApiKey':
      if (state.status !== 'Initial') throw new IllegalStateError(`key ${keyId} exists`, 'key-exists');
      future(command.data.expiresAt, command.meta.now);
      return [{ type: 'ApiKeyCreated', data: { ...command.data, roles: checkRoles(command.data.roles) } }];
    case 'RotateApiKey':
      if (state.status === 'Initial') throw new NotFoundError(`key ${keyId} does not exist`);
      if (state.status === 'Revoked') throw new IllegalStateError(`key ${keyId} is revoked`, 'key-revoked');
      future(command.data.expiresAt, command.meta.now);
      return [{ type: 'ApiKeyRotated', data: { ...command.data, scheme: 'hmac-sha256' } }];
    case 'RevokeApiKey':
      if (state.status === 'Initial') throw new NotFoundError(`key ${keyId} does not exist`);
      return state.status === 'Revoked' ? [] : [{ type: 'ApiKeyRevoked', data: command.data }];
    default:
      return unreachable(command);
  }
};

export const apiKeyDecider: Decider<ApiKeyCommand, ApiKeyEvent, ApiKeyState> = {
  category: 'apikey',
  initialState: { status: 'Initial' },
  decide: decideApiKey,
  evolve: evolveApiKey,
  eventTypes: apiKeyEventTypes,
};
