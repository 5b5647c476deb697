import { inject, reactive, readonly, type InjectionKey } from 'vue';
import { ApiError, createApiClient, type ApiClient } from '../composables/api';
import { OFFICE_CSRF as CSRF, OFFICE_USER as USER } from './storageKeys';

/** A person of the office, logged in with login and password (a browser session: cookie and CSRF token). */
export type OfficeUser = { personId: string; displayName?: string; roles: string[] };

type Me = { via?: string; sessionKind?: string; personId?: string; displayName?: string; roles?: string[] };
type LoginAnswer = { status?: string; challenge?: string; csrfToken?: string };

/**
 * The office's session: the backbone keeps it in an HttpOnly cookie; the CSRF token it gives at login is
 * kept here and sent with every write. `probe` asks the backbone who the cookie belongs to.
 */
export const createOfficeSession = (storage: Storage, fetcher: typeof fetch = fetch.bind(globalThis)) => {
  const saved = storage.getItem(USER);
  const state = reactive<{ user?: OfficeUser; csrf?: string; challenge?: string; probed: boolean }>({
    probed: false,
    ...(storage.getItem(CSRF) ? { csrf: storage.getItem(CSRF) as string } : {}),
    ...(saved ? { user: JSON.parse(saved) as OfficeUser } : {}),
  });
  const api: ApiClient = createApiClient(
    (): Record<string, string> => (state.csrf ? { 'x-csrf-token': state.csrf } : {}),
    fetcher,
  );
  const keep = (user: OfficeUser | undefined, csrf: string | undefined): void => {
    state.user = user;
    state.csrf = csrf;
    if (user) storage.setItem(USER, JSON.stringify(user));
    else storage.removeItem(USER);
    if (csrf) storage.setItem(CSRF, csrf);
    else storage.removeItem(CSRF);
  };
  const whoAmI = async (csrf: string | undefined): Promise<void> => {
    const me = await api.get<Me>('/api/me');
    if (me.via !== 'session' || me.sessionKind !== 'browser' || !me.personId) return keep(undefined, undefined);
    keep(
      { personId: me.personId, ...(me.displayName ? { displayName: me.displayName } : {}), roles: me.roles ?? [] },
      csrf,
    );
  };
  const began = async (answer: LoginAnswer): Promise<'session' | 'second-factor'> => {
    if (answer.status === 'second-factor-required' && answer.challenge) {
      state.challenge = answer.challenge;
      return 'second-factor';
    }
    delete state.challenge;
    state.csrf = answer.csrfToken;
    await whoAmI(answer.csrfToken);
    return 'session';
  };
  return {
    state: readonly(state),
    api,
    /** Whether the person holds one of these roles. */
    has: (roles: readonly string[]): boolean => !!state.user?.roles.some((r) => roles.includes(r)),
    /** Who the session cookie belongs to (once per page load unless forced); 401 forgets the person. */
    async probe(force = false): Promise<OfficeUser | undefined> {
      if (state.probed && !force) return state.user;
      try {
        await whoAmI(state.csrf);
      } catch (error) {
        if (error instanceof ApiError) keep(undefined, undefined);
        // offline: keep who was here
      }
      state.probed = true;
      return state.user;
    },
    async login(login: string, password: string): Promise<'session' | 'second-factor'> {
      return began(await api.post<LoginAnswer>('/api/session', { login, password }));
    },
    async secondFactor(code: string): Promise<'session' | 'second-factor'> {
      return began(await api.post<LoginAnswer>('/api/session/second-factor', { challenge: state.challenge, code }));
    },
    async logout(): Promise<void> {
      await api.request('DELETE', '/api/session').catch(() => undefined);
      keep(undefined, undefined);
    },
  };
};

export type OfficeSession = ReturnType<typeof createOfficeSession>;
export const OFFICE_SESSION: InjectionKey<OfficeSession> = Symbol('office-session');

export const useOfficeSession = (): OfficeSession => {
  const session = inject(OFFICE_SESSION);
  if (!session) throw new Error('the office session is provided by main.ts');
  return session;
};
