import type { ApiClient } from './api';

const KEY = 'mes.capabilities';

/** Which routes the backbone serves (from its OpenAPI document), so the app uses a feature once it lands. */
export type Capabilities = {
  has(method: string, path: string): boolean;
  /** The first path template of a method that matches, e.g. `/api/products/{code}`. */
  find(method: string, pattern: RegExp): string | undefined;
};

const fromList = (list: readonly string[]): Capabilities => {
  const set = new Set(list);
  return {
    has: (method, path) => set.has(`${method.toUpperCase()} ${path}`),
    find: (method, pattern) => {
      const prefix = `${method.toUpperCase()} `;
      return list
        .find((entry) => entry.startsWith(prefix) && pattern.test(entry.slice(prefix.length)))
        ?.slice(prefix.length);
    },
  };
};

/** The list seen last time, if any: the app starts on it and reads the document again when idle. */
export const keptCapabilities = (storage: Storage): Capabilities | undefined => {
  const saved = storage.getItem(KEY);
  return saved ? fromList(JSON.parse(saved) as string[]) : undefined;
};

/** Reads /openapi.json; offline, the last list seen (or none). */
export const loadCapabilities = async (api: ApiClient, storage: Storage): Promise<Capabilities> => {
  try {
    const doc = await api.get<{ paths?: Record<string, Record<string, unknown>> }>('/openapi.json');
    const list = Object.entries(doc.paths ?? {}).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    storage.setItem(KEY, JSON.stringify(list));
    return fromList(list);
  } catch {
    return keptCapabilities(storage) ?? fromList([]);
  }
};
