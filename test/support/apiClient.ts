import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashToken, ROLES, type Role } from '../../src/api/auth';

/** One API key per role (and admin), written hashed to a keys file; the tokens stay with the test. */
export const makeKeys = (dir: string): { file: string; tokens: Record<Role, string> } => {
  const tokens = Object.fromEntries(
    ROLES.map((role) => [role, `test_${role}_${randomBytes(12).toString('hex')}`]),
  ) as Record<Role, string>;
  const file = join(dir, 'keys.json');
  writeFileSync(
    file,
    JSON.stringify(ROLES.map((role) => ({ name: `${role}-1`, roles: [role], sha256: hashToken(tokens[role]) }))),
  );
  return { file, tokens };
};

export type Call = { status: number; headers: Headers; body: unknown; text: string };

export const client = (baseUrl: string, tokens: Record<Role, string>) => {
  const call = async (
    method: string,
    path: string,
    options: {
      as?: Role | null;
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
      statusOnly?: boolean;
    } = {},
  ): Promise<Call> => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.as !== null) headers['authorization'] = `Bearer ${tokens[options.as ?? 'admin']}`;
    let payload: string | undefined = options.raw;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = headers['content-type'] ?? 'application/json';
    }
    const controller = new AbortController();
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      signal: controller.signal,
      ...(payload === undefined ? {} : { body: payload }),
    });
    if (options.statusOnly && response.ok) {
      // a live stream never ends: the status is what is wanted
      controller.abort();
      return { status: response.status, headers: response.headers, body: undefined, text: '' };
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (SVG, CSV, NDJSON)
    }
    return { status: response.status, headers: response.headers, body, text };
  };
  return {
    call,
    get: (path: string, as?: Role | null, headers?: Record<string, string>) =>
      call('GET', path, { as, ...(headers ? { headers } : {}) }),
    post: (path: string, body: unknown, as?: Role | null, headers?: Record<string, string>) =>
      call('POST', path, { body, as, ...(headers ? { headers } : {}) }),
  };
};
