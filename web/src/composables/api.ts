/** RFC 9457 problem document, as the backbone answers refusals and errors. */
export type Problem = {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  rule?: string;
  errors?: Array<{ path: string; message: string }>;
};

/** The backbone answered with a problem document (or a non-2xx without one). */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = 'ApiError';
  }
}

/** The request never got an answer: offline, Wi-Fi dropped, server unreachable. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('network unreachable', { cause });
    this.name = 'NetworkError';
  }
}

export type RequestOptions = { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal };

export type ApiClient = {
  request: <T>(method: string, path: string, options?: RequestOptions) => Promise<T>;
  get: <T>(path: string, options?: RequestOptions) => Promise<T>;
  post: <T>(path: string, body: unknown, options?: RequestOptions) => Promise<T>;
  /** The credential headers sent: the operator's session with the device key, or the device key. */
  credentials: () => Record<string, string>;
};

const problemOf = async (response: Response): Promise<Problem> => {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as Partial<Problem>;
    if (parsed && typeof parsed === 'object') return { ...parsed, status: response.status };
  } catch {
    // not JSON: a proxy's error page
  }
  return { status: response.status };
};

/**
 * The one door to the HTTP API: JSON in and out, the device key as bearer (when configured), the
 * shop-floor session cookie (when the backbone gives one), problems as ApiError.
 */
export const createApiClient = (
  credentials: () => Record<string, string>,
  fetcher: typeof fetch = fetch,
): ApiClient => {
  const request = async <T>(method: string, path: string, options: RequestOptions = {}): Promise<T> => {
    const headers: Record<string, string> = { accept: 'application/json', ...credentials(), ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetcher(path, {
        method,
        headers,
        credentials: 'same-origin',
        cache: 'no-store',
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      throw new NetworkError(error);
    }
    if (!response.ok) throw new ApiError(await problemOf(response));
    if (response.status === 204) return undefined as T;
    const type = response.headers.get('content-type') ?? '';
    return (type.includes('json') ? await response.json() : await response.text()) as T;
  };
  return {
    request,
    get: (path, options) => request('GET', path, options),
    post: (path, body, options) => request('POST', path, { ...options, body }),
    credentials,
  };
};
