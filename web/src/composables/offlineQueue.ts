import { inject, ref, type InjectionKey, type Ref } from 'vue';
import { ApiError, type ApiClient, type Problem } from './api';
import type { Store } from './idb';

/** What the operator did, as it is sent: a scan (`POST /api/scans`) or a material issue. */
export type OutboxEntry = {
  /** Send order: taken from the clock when kept, so entries go out as they were made. */
  seq: number;
  /** The scan id, also sent as Idempotency-Key: a resend after a lost answer is applied once. */
  id: string;
  kind: 'scan' | 'issue';
  path: string;
  body: Record<string, unknown>;
  /** What to show of it: action, order, operation, lot, quantities. */
  label: Record<string, string | number>;
  createdAt: string;
  state: 'pending' | 'refused';
  problem?: Problem;
};

export type Outcome = { state: 'sent'; body: unknown } | { state: 'queued' } | { state: 'refused'; problem: Problem };

// a refusal is final; these mean "not now": try again later
const transient = (status: number): boolean => status === 401 || status === 408 || status === 429 || status >= 500;
// a scan that waited is sent with the time the operator made it
const LATE_MS = 5_000;

/**
 * The outbox of a PDA: every action is kept in IndexedDB first, then sent in order. Offline, it
 * waits (the screen shows how many); back online it is sent; one the backbone refuses when it
 * arrives is kept, with the refusal, for the operator to review, never dropped.
 */
export const createOfflineQueue = (deps: {
  api: ApiClient;
  store: Store<OutboxEntry>;
  online: () => boolean;
  now?: () => Date;
  /** Resend waiting entries this often while some wait. Default 15 s. */
  retryMs?: number;
}) => {
  const now = deps.now ?? (() => new Date());
  const pending: Ref<number> = ref(0);
  const refused: Ref<OutboxEntry[]> = ref([]);
  const waiters = new Map<string, (outcome: Outcome) => void>();
  let running: Promise<void> | undefined;
  let lastSeq = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const refresh = async (): Promise<OutboxEntry[]> => {
    const all = (await deps.store.all()).sort((a, b) => a.seq - b.seq);
    pending.value = all.filter((e) => e.state === 'pending').length;
    refused.value = all.filter((e) => e.state === 'refused');
    return all.filter((e) => e.state === 'pending');
  };
  const settle = (id: string, outcome: Outcome): void => {
    waiters.get(id)?.(outcome);
    waiters.delete(id);
  };
  const send = (entry: OutboxEntry): Promise<unknown> => {
    const waited = now().getTime() - Date.parse(entry.createdAt) > LATE_MS;
    const body = entry.kind === 'scan' && waited ? { ...entry.body, at: entry.createdAt } : entry.body;
    return deps.api.post(entry.path, body, { headers: { 'idempotency-key': entry.id } });
  };
  const drain = async (): Promise<void> => {
    let stopped = false;
    for (const entry of await refresh()) {
      if (!deps.online()) {
        stopped = true;
        break;
      }
      try {
        const answer = await send(entry);
        await deps.store.remove(entry.seq);
        settle(entry.id, { state: 'sent', body: answer });
      } catch (error) {
        if (!(error instanceof ApiError) || transient(error.problem.status)) {
          stopped = true;
          break;
        }
        if (waiters.has(entry.id)) {
          // the operator is looking at it: shown now, nothing to review later
          await deps.store.remove(entry.seq);
          settle(entry.id, { state: 'refused', problem: error.problem });
        } else {
          await deps.store.put({ ...entry, state: 'refused', problem: error.problem });
        }
      }
    }
    const left = await refresh();
    clearTimeout(retry);
    if (stopped) {
      for (const entry of left) settle(entry.id, { state: 'queued' });
      if (left.length > 0) retry = setTimeout(() => void flush(), deps.retryMs ?? 15_000);
    } else if (left.length > 0) {
      // kept while this run went on: the next run sends them
      retry = setTimeout(() => void flush(), 0);
    }
  };
  /** Sends what waits, in order; one run at a time. */
  const flush = (): Promise<void> => {
    running ??= drain().finally(() => (running = undefined));
    return running;
  };

  return {
    pending,
    refused,
    flush,
    /** Keeps the entry, then tries to send it (after any that wait before it). */
    async submit(entry: Omit<OutboxEntry, 'seq' | 'createdAt' | 'state'>): Promise<Outcome> {
      const at = now();
      const seq = Math.max(lastSeq + 1, at.getTime() * 1000);
      lastSeq = seq;
      await deps.store.add({ ...entry, seq, createdAt: at.toISOString(), state: 'pending' });
      const outcome = new Promise<Outcome>((resolve) => waiters.set(entry.id, resolve));
      void flush();
      return outcome;
    },
    /** The operator has read a refusal: it leaves the review list. */
    async dismiss(seq: number): Promise<void> {
      await deps.store.remove(seq);
      await refresh();
    },
  };
};

export type OfflineQueue = ReturnType<typeof createOfflineQueue>;
export const OUTBOX: InjectionKey<OfflineQueue> = Symbol('outbox');

export const useOfflineQueue = (): OfflineQueue => {
  const queue = inject(OUTBOX);
  if (!queue) throw new Error('the offline queue is provided by main.ts');
  return queue;
};
