import { setTimeout as sleep } from 'node:timers/promises';

/** The simulator's HTTP client: the same API a PDA, a planner's tool or the ERP uses. */
export type ApiAnswer = { status: number; body: unknown };

export type ApiCounters = { sent: number; ok: number; refused: number; failed: number; refusals: Map<string, number> };

/** How a client proves who it is: a key or session token as bearer, or a browser's cookie and CSRF token. */
export type Credentials = Record<string, string>;

export const newCounters = (): ApiCounters => ({ sent: 0, ok: 0, refused: 0, failed: 0, refusals: new Map() });

/** A client acting as one person, device or integration; clients of one run share their counters. */
export const createApiClient = (baseUrl: string, credentials: Credentials, counters: ApiCounters = newCounters()) => {
  const call = async (
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<ApiAnswer> => {
    for (let attempt = 0; ; attempt += 1) {
      counters.sent += 1;
      try {
        const response = await fetch(`${baseUrl}${path}`, {
          method,
          headers: {
            ...credentials,
            ...(body === undefined ? {} : { 'content-type': contentType ?? 'application/json' }),
          },
          ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await response.text();
        const parsed: unknown =
          text && /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text;
        if (response.status >= 500 && attempt < 3) {
          await sleep(200 * (attempt + 1));
          continue;
        }
        if (response.ok) counters.ok += 1;
        else if (response.status < 500) {
          counters.refused += 1;
          const rule = (parsed as { rule?: string; type?: string })?.rule ?? String(response.status);
          counters.refusals.set(rule, (counters.refusals.get(rule) ?? 0) + 1);
        } else counters.failed += 1;
        return { status: response.status, body: parsed };
      } catch (error) {
        if (attempt >= 3) {
          counters.failed += 1;
          return { status: 0, body: String(error) };
        }
        await sleep(200 * (attempt + 1));
      }
    }
  };
  return {
    counters,
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown, contentType?: string) => call('POST', path, body, contentType),
    put: (path: string, body: unknown) => call('PUT', path, body),
  };
};

export type ApiClient = ReturnType<typeof createApiClient>;

/** Sends a request the plant needs: a refusal is noted as a problem and answers undefined. */
export type Must = (what: string, answer: Promise<ApiAnswer>) => Promise<unknown>;
