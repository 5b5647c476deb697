import type { Event } from '../messages';
import type { Role } from '../people/roles';

/**
 * How a key's secret is checked: `hmac-sha256` of the secret under the server's pepper (keys the
 * backbone made), or `sha256-legacy`, the unsalted hash of a token imported from the old key file.
 */
export type KeyScheme = 'hmac-sha256' | 'sha256-legacy';

export type ApiKeyCreated = Event<
  'ApiKeyCreated',
  {
    keyId: string;
    name: string;
    /** Who answers for the key: `person:<login>`, `device:<id>`, or a system named by the creator. */
    owner: string;
    roles: Role[];
    expiresAt: string;
    scheme: KeyScheme;
    verifier: string;
    /** The key file it was imported from, for keys of the old format. */
    importedFrom?: string;
  }
>;
export type ApiKeyRotated = Event<
  'ApiKeyRotated',
  { keyId: string; scheme: 'hmac-sha256'; verifier: string; expiresAt: string }
>;
export type ApiKeyRevoked = Event<'ApiKeyRevoked', { keyId: string; reason: string }>;

export type ApiKeyEvent = ApiKeyCreated | ApiKeyRotated | ApiKeyRevoked;
export const apiKeyEventTypes = [
  'ApiKeyCreated',
  'ApiKeyRotated',
  'ApiKeyRevoked',
] as const satisfies readonly ApiKeyEvent['type'][];

export type ApiKey = Omit<ApiKeyCreated['data'], 'importedFrom'>;
export type ApiKeyState = { status: 'Initial' } | ({ status: 'Active' | 'Revoked' } & ApiKey);

export const evolveApiKey = (state: ApiKeyState, event: ApiKeyEvent): ApiKeyState => {
  switch (event.type) {
    case 'ApiKeyCreated': {
      if (state.status !== 'Initial') return state;
      const { importedFrom: _file, ...key } = event.data;
      return { status: 'Active', ...key };
    }
    case 'ApiKeyRotated':
      return state.status === 'Initial' ? state : { ...state, ...event.data };
    case 'ApiKeyRevoked':
      return state.status === 'Initial' ? state : { ...state, status: 'Revoked' };
  }
};
