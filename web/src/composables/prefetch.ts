import { dashboardQuery } from '../office/dashboard/query';
import { OFFICE_CSRF } from '../office/storageKeys';

export const DEVICE_KEY = 'mes.deviceKey';
export const OPERATOR = 'mes.operator';
/** The shop-floor session of the operator logged in with badge and PIN (sent with the device key). */
export const SESSION_TOKEN = 'mes.sessionToken';

/** The credentials a PDA sends: the operator's session bound to the device, else the device key alone. */
export const credentialHeaders = (
  deviceKey: string | null | undefined,
  sessionToken: string | null | undefined,
): Record<string, string> =>
  sessionToken && deviceKey
    ? { authorization: `Bearer ${sessionToken}`, 'x-device-key': deviceKey }
    : deviceKey
      ? { authorization: `Bearer ${deviceKey}` }
      : {};

const early = new Map<string, Promise<Response>>();

/** Asks for a GET at once; `fetchWithPrefetch` answers the app's own request for that path with it. */
const ask = (path: string, headers: Record<string, string>): void => {
  const answer = fetch(path, {
    headers: { accept: 'application/json', ...headers },
    credentials: 'same-origin',
    cache: 'no-store',
  });
  answer.catch(() => undefined); // whoever takes it sees the failure
  early.set(path, answer);
};

/**
 * Starts reading the operator's work centers while the app's code is still being evaluated (the
 * slowest part of a start on a PDA); the API client takes these answers instead of asking again.
 */
export const prefetchMyWork = (storage: Storage): void => {
  const key = storage.getItem(DEVICE_KEY);
  const operator = storage.getItem(OPERATOR);
  if (!key || !operator) return;
  const { workCenters = [] } = JSON.parse(operator) as { workCenters?: string[] };
  for (const wc of workCenters)
    ask(`/api/wip/work-centers/${encodeURIComponent(wc)}`, credentialHeaders(key, storage.getItem(SESSION_TOKEN)));
};

/**
 * An office screen opened by someone who logged in on this browser (the session cookie goes with the
 * request): who they are, which the router asks before any screen shows, and on the dashboard its
 * figures, are read while the app's code is still being evaluated.
 */
export const prefetchOffice = (storage: Storage, where: { pathname: string; search: string }): void => {
  if (!where.pathname.startsWith('/office/') || where.pathname === '/office/login') return;
  if (!storage.getItem(OFFICE_CSRF)) return;
  ask('/api/me', {});
  if (where.pathname !== '/office/dashboard') return;
  const params = new URLSearchParams(where.search);
  ask(`/api/dashboard?${dashboardQuery(params.get('scope'), params.get('period'))}`, {});
};

// at import: main.ts imports this module first, so this runs before the framework's code is evaluated
prefetchMyWork(localStorage);
prefetchOffice(localStorage, location);

/** fetch, but a GET started early is answered from its prefetch (once). */
export const fetchWithPrefetch: typeof fetch = (input, init) => {
  const path = typeof input === 'string' ? input : undefined;
  const started = path && (!init?.method || init.method === 'GET') ? early.get(path) : undefined;
  if (!started || !path) return fetch(input, init);
  early.delete(path);
  return started;
};
