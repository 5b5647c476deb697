import { createApiClient, newCounters, type ApiClient, type ApiCounters, type Credentials } from './client';

/** The plant's people, devices and integrations as the demo set them up: who the simulator logs in as. */
export type PlantLogins = {
  /** Office people: their one-time password, and the password they change it to at the first login. */
  people: Record<
    'planner' | 'quality' | 'maintenance' | 'analyst' | 'auditor',
    { login: string; oneTimePassword: string; newPassword: string }
  >;
  /** One operator per machine, each on their own PDA with badge and PIN. */
  operators: Array<{ login: string; badgeId: string; pin: string; deviceToken: string }>;
  /** API keys of the ERP, the WMS and the machines' gateway (when machines report over HTTP). */
  keys: { erp: string; wms: string; gateway: string; sysadmin: string; secadmin: string };
};

export type PlantClients = {
  counters: ApiCounters;
  planner: ApiClient;
  quality: ApiClient;
  maintenance: ApiClient;
  analyst: ApiClient;
  auditor: ApiClient;
  erp: ApiClient;
  wms: ApiClient;
  gateway: ApiClient;
  /** The set-up keys of the system and the security administrator (sites and work centers; employees). */
  sysadmin: ApiClient;
  secadmin: ApiClient;
  /** The operator logged in on the PDA at machine `index`. */
  operators: ApiClient[];
};

const post = async (baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(answer)}`);
  return {
    answer,
    cookie: response.headers
      .getSetCookie()
      .find((c) => c.startsWith('mes_session='))
      ?.split(';')[0],
  };
};

/** A person logs in as in a browser, changing a first password when asked: the cookie and CSRF token. */
const browser = async (baseUrl: string, person: PlantLogins['people']['planner']): Promise<Credentials> => {
  const { answer, cookie } = await post(baseUrl, '/api/session', {
    login: person.login,
    password: person.oneTimePassword,
  });
  const credentials = { cookie: cookie as string, 'x-csrf-token': answer['csrfToken'] as string };
  if ((answer['pending'] as string[]).includes('password-change'))
    await post(
      baseUrl,
      '/api/me/password',
      { currentPassword: person.oneTimePassword, newPassword: person.newPassword },
      credentials,
    );
  return credentials;
};

/** An operator scans their badge and types their PIN on their PDA: the session token and the device's key. */
const shopFloor = async (baseUrl: string, operator: PlantLogins['operators'][number]): Promise<Credentials> => {
  const { answer } = await post(
    baseUrl,
    '/api/session/badge',
    { badgeId: operator.badgeId, pin: operator.pin },
    {
      authorization: `Bearer ${operator.deviceToken}`,
    },
  );
  return { authorization: `Bearer ${answer['token'] as string}`, 'x-device-key': operator.deviceToken };
};

/** Every person, operator and integration of the plant logged in, sharing one set of counters. */
export const logInPlant = async (baseUrl: string, logins: PlantLogins): Promise<PlantClients> => {
  const counters = newCounters();
  const as = (credentials: Credentials) => createApiClient(baseUrl, credentials, counters);
  const key = (token: string) => as({ authorization: `Bearer ${token}` });
  const people = logins.people;
  return {
    counters,
    planner: as(await browser(baseUrl, people.planner)),
    quality: as(await browser(baseUrl, people.quality)),
    maintenance: as(await browser(baseUrl, people.maintenance)),
    analyst: as(await browser(baseUrl, people.analyst)),
    auditor: as(await browser(baseUrl, people.auditor)),
    erp: key(logins.keys.erp),
    wms: key(logins.keys.wms),
    gateway: key(logins.keys.gateway),
    sysadmin: key(logins.keys.sysadmin),
    secadmin: key(logins.keys.secadmin),
    operators: await Promise.all(logins.operators.map(async (o) => as(await shopFloor(baseUrl, o)))),
  };
};
