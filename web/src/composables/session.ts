import { inject, reactive, readonly, type InjectionKey } from 'vue';
import { ApiError, createApiClient, type ApiClient } from './api';
import { keptCapabilities, loadCapabilities, type Capabilities } from './capabilities';
import { credentialHeaders, DEVICE_KEY, OPERATOR, SESSION_TOKEN } from './prefetch';

export type Operator = { id: string; name?: string; workCenters: string[] };

/**
 * How an operator logs in. `badge`: the people issue's badge and PIN on a registered device (a session
 * cookie); `key`: until that lands, the device key configured once and an operator id.
 */
export type LoginMode = 'badge' | 'key';

type State = { deviceKey?: string; sessionToken?: string; operator?: Operator; mode: LoginMode; ready: boolean };

/** What GET /api/me answers (people issue); the names it may use are read leniently. */
type Me = {
  id?: string;
  personId?: string;
  employeeNo?: string;
  name?: string;
  displayName?: string;
  workCenters?: string[];
};

const operatorOf = (me: Me, workCenters: string[]): Operator | undefined => {
  const id = me.personId ?? me.id ?? me.employeeNo;
  if (!id) return undefined;
  const name = me.displayName ?? me.name;
  return { id, ...(name ? { name } : {}), workCenters: me.workCenters?.length ? me.workCenters : workCenters };
};

/** Who is logged in on this PDA, and the ways to log in and out. */
export const createSession = (storage: Storage, fetcher: typeof fetch = fetch.bind(globalThis)) => {
  const saved = storage.getItem(OPERATOR);
  const state = reactive<State>({
    mode: 'key',
    ready: false,
    ...(storage.getItem(DEVICE_KEY) ? { deviceKey: storage.getItem(DEVICE_KEY) as string } : {}),
    ...(storage.getItem(SESSION_TOKEN) ? { sessionToken: storage.getItem(SESSION_TOKEN) as string } : {}),
    ...(saved ? { operator: JSON.parse(saved) as Operator } : {}),
  });
  const api: ApiClient = createApiClient(() => credentialHeaders(state.deviceKey, state.sessionToken), fetcher);
  // the badge login is the device's own request: its key alone, never a session left behind
  const device: ApiClient = createApiClient(() => credentialHeaders(state.deviceKey, undefined), fetcher);
  const keepSession = (token: string | undefined): void => {
    if (token) {
      state.sessionToken = token;
      storage.setItem(SESSION_TOKEN, token);
    } else {
      delete state.sessionToken;
      storage.removeItem(SESSION_TOKEN);
    }
  };
  let capabilities: Capabilities = keptCapabilities(storage) ?? { has: () => false, find: () => undefined };
  const modeOf = (c: Capabilities): LoginMode => (c.has('post', '/api/session/badge') ? 'badge' : 'key');
  state.mode = modeOf(capabilities);
  const remember = (operator: Operator | undefined): void => {
    state.operator = operator;
    if (operator) storage.setItem(OPERATOR, JSON.stringify(operator));
    else storage.removeItem(OPERATOR);
  };
  return {
    state: readonly(state),
    api,
    capabilities: () => capabilities,
    /** Learns what the backbone offers; with badge login, asks who the session cookie belongs to. */
    async probe(): Promise<void> {
      capabilities = await loadCapabilities(api, storage);
      state.mode = modeOf(capabilities);
      if (state.mode === 'badge' && capabilities.has('get', '/api/me')) {
        try {
          remember(operatorOf(await api.get<Me>('/api/me'), state.operator?.workCenters ?? []));
        } catch (error) {
          // 401: no session (or it expired); offline: keep who was here
          if (error instanceof ApiError) {
            keepSession(undefined);
            remember(undefined);
          }
        }
      }
      state.ready = true;
    },
    /** Keeps the device key once it opens a read the PDA needs; a wrong key is refused (401). */
    async configureDevice(key: string): Promise<void> {
      const probe = createApiClient(() => credentialHeaders(key, undefined), fetcher);
      await probe.get('/api/me');
      state.deviceKey = key;
      storage.setItem(DEVICE_KEY, key);
      // the API document is read after a login: what this backbone offers is known once the device is
      capabilities = await loadCapabilities(api, storage);
      state.mode = modeOf(capabilities);
    },
    forgetDevice(): void {
      delete state.deviceKey;
      storage.removeItem(DEVICE_KEY);
      keepSession(undefined);
      remember(undefined);
    },
    loginWithOperatorId(id: string, workCenters: string[]): void {
      remember({ id, workCenters });
    },
    async loginWithBadge(badgeId: string, pin: string, workCenters: string[]): Promise<void> {
      const session = await device.post<{ token?: string }>('/api/session/badge', { badgeId, pin });
      keepSession(session?.token);
      const me = await api.get<Me>('/api/me');
      remember(operatorOf(me, workCenters) ?? { id: badgeId, workCenters });
    },
    setWorkCenters(workCenters: string[]): void {
      if (state.operator) remember({ ...state.operator, workCenters });
    },
    /** One tap: ends the badge session on the backbone (when there is one) and forgets the operator here. */
    async logout(): Promise<void> {
      if (state.mode === 'badge') await api.request('DELETE', '/api/session').catch(() => undefined);
      keepSession(undefined);
      remember(undefined);
    },
  };
};

export type Session = ReturnType<typeof createSession>;
export const SESSION: InjectionKey<Session> = Symbol('session');

export const useSession = (): Session => {
  const session = inject(SESSION);
  if (!session) throw new Error('the session is provided by main.ts');
  return session;
};
