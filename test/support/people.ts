import { expect } from 'chai';
import type { client } from './apiClient';

type Api = ReturnType<typeof client>;

/** An operator logged in on a registered PDA: the headers its requests carry (session token and device key). */
export type ShopFloor = {
  personId: string;
  deviceToken: string;
  pin: string;
  sessionId: string;
  headers: Record<string, string>;
};

/** Registers a device (as sysadmin) and returns its key. */
export const registerDevice = async (api: Api, deviceId: string): Promise<string> => {
  const device = await api.post('/api/devices', { deviceId, name: `PDA ${deviceId}` }, 'sysadmin');
  expect(device.status, JSON.stringify(device.body)).to.equal(201);
  return (device.body as { token: string }).token;
};

/** Registers an operator with a badge (as secadmin) and issues their PIN. */
export const registerOperator = async (api: Api, personId: string, badgeId: string): Promise<string> => {
  const made = await api.post(
    '/api/people',
    { personId, displayName: personId, roles: ['operator'], badgeId },
    'secadmin',
  );
  expect(made.status, JSON.stringify(made.body)).to.equal(201);
  return ((await api.post(`/api/people/${personId}/pin`, {}, 'secadmin')).body as { pin: string }).pin;
};

/** Badge and PIN on a device: a shop-floor session. */
export const badgeLogin = async (api: Api, deviceToken: string, badgeId: string, pin: string) =>
  api.call('POST', '/api/session/badge', {
    as: null,
    body: { badgeId, pin },
    headers: { authorization: `Bearer ${deviceToken}` },
  });

/** A device, an operator with a badge and PIN, and the operator logged in on the device. */
export const shopFloor = async (api: Api, deviceId: string, personId: string, badgeId: string): Promise<ShopFloor> => {
  const deviceToken = await registerDevice(api, deviceId);
  const pin = await registerOperator(api, personId, badgeId);
  const session = await badgeLogin(api, deviceToken, badgeId, pin);
  expect(session.status, JSON.stringify(session.body)).to.equal(201);
  const { token, sessionId } = session.body as { token: string; sessionId: string };
  return {
    personId,
    deviceToken,
    pin,
    sessionId,
    headers: { authorization: `Bearer ${token}`, 'x-device-key': deviceToken },
  };
};

/** A request as the operator on the shop floor. */
export const asOperator = (api: Api, operator: ShopFloor, method: string, path: string, body?: unknown) =>
  api.call(method, path, { as: null, headers: operator.headers, ...(body === undefined ? {} : { body }) });

/** A browser: its session cookie and CSRF token, as a person's browser keeps them. */
export type Browser = {
  cookie: string;
  csrf: string;
  call: (
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<{ status: number; headers: Headers; body: unknown }>;
};

export const browserOf = (baseUrl: string, cookie: string, csrf: string): Browser => ({
  cookie,
  csrf,
  async call(method, path, body, headers = {}) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        cookie,
        'x-csrf-token': csrf,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, headers: response.headers, body: parsed };
  },
});

/** POST /api/session (and the second step when a code is given): the answer, and a browser when a session began. */
export const passwordLogin = async (baseUrl: string, login: string, password: string, code?: () => string) => {
  const post = (path: string, body: unknown) =>
    fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  let response = await post('/api/session', { login, password });
  let body = (await response.json()) as Record<string, unknown>;
  if (body['status'] === 'second-factor-required' && code) {
    response = await post('/api/session/second-factor', { challenge: body['challenge'], code: code() });
    body = (await response.json()) as Record<string, unknown>;
  }
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('mes_session='));
  return {
    status: response.status,
    headers: response.headers,
    body,
    setCookie: cookie,
    browser: cookie ? browserOf(baseUrl, cookie.split(';')[0] as string, body['csrfToken'] as string) : undefined,
  };
};
