import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashToken, ROLES, type Role } from '../../src/api/auth';

/** A test key's identity: one role, or `all` (every business role and sysadmin, what most tests act as). */
export type As = Role | 'all';

/** Every role but the security and audit administrators and devices, which no key combines with others. */
export const ALL_BUSINESS_ROLES: Role[] = ROLES.filter((r) => !['secadmin', 'auditadmin', 'device'].includes(r));

/**
 * One API key per role and one with every business role, written in the old key file format
 * (`API_KEYS_FILE`), which the backbone imports at start into its key registry (with a warning);
 * the tokens stay with the test.
 */
export const makeKeys = (dir: string): { file: string; tokens: Record<As, string> } => {
  const names: As[] = [...ROLES, 'all'];
  const tokens = Object.fromEntries(
    names.map((name) => [name, `test_${name}_${randomBytes(12).toString('hex')}`]),
  ) as Record<As, string>;
  const file = join(dir, 'keys.json');
  writeFileSync(
    file,
    JSON.stringify(
      names.map((name) => ({
        name: `${name}-1`,
        roles: name === 'all' ? ALL_BUSINESS_ROLES : [name],
        sha256: hashToken(tokens[name]),
      })),
    ),
  );
  return { file, tokens };
};

export type Call = { status: number; headers: Headers; body: unknown; text: string };

export const client = (baseUrl: string, tokens: Record<As, string>) => {
  const call = async (
    method: string,
    path: string,
    options: {
      as?: As | null;
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
      statusOnly?: boolean;
    } = {},
  ): Promise<Call> => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.as !== null) headers['authorization'] = `Bearer ${tokens[options.as ?? 'all']}`;
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
    get: (path: string, as?: As | null, headers?: Record<string, string>) =>
      call('GET', path, { as, ...(headers ? { headers } : {}) }),
    post: (path: string, body: unknown, as?: As | null, headers?: Record<string, string>) =>
      call('POST', path, { body, as, ...(headers ? { headers } : {}) }),
  };
};
