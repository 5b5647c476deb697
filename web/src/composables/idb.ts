/** A small promise face over one IndexedDB object store: enough for the outbox, no library needed. */
export type Store<T> = {
  all(): Promise<T[]>;
  add(value: T): Promise<void>;
  put(value: T): Promise<void>;
  remove(key: IDBValidKey): Promise<void>;
};

const done = <R>(request: IDBRequest<R>): Promise<R> =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });

/** Opens on first use: the app's start does not wait for the database. */
export const openStore = <T>(database: string, store: string, keyPath: string): Store<T> => {
  let opened: Promise<IDBDatabase> | undefined;
  const db = (): Promise<IDBDatabase> => {
    if (!opened) {
      const open = indexedDB.open(database, 1);
      open.onupgradeneeded = () => open.result.createObjectStore(store, { keyPath });
      opened = done(open);
    }
    return opened;
  };
  const run = async <R>(mode: IDBTransactionMode, act: (s: IDBObjectStore) => IDBRequest<R>): Promise<R> => {
    const tx = (await db()).transaction(store, mode);
    const result = await done(act(tx.objectStore(store)));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    });
    return result;
  };
  return {
    all: () => run('readonly', (s) => s.getAll() as IDBRequest<T[]>),
    add: async (value) => void (await run('readwrite', (s) => s.add(value))),
    put: async (value) => void (await run('readwrite', (s) => s.put(value))),
    remove: async (key) => void (await run('readwrite', (s) => s.delete(key))),
  };
};
