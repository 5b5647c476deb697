import { inject, ref, type InjectionKey, type Ref } from 'vue';
import type { ApiClient } from './api';
import { connectLive, type LiveEvent, type LiveStatus } from './liveEvents';

type Listener = { prefixes: readonly string[]; refresh: () => void };
type Ready = {
  eventStore?: { headPosition?: string | null };
  projections?: Array<{ projection: string; lagEvents: number | null }>;
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Screens that change when the log does: one live stream for the app; a screen names the streams it
 * shows (`order-`, `workcenter-`) and is refreshed once the read models have applied what came (the
 * WIP projection runs a moment after the append). Where the key may not read the stream, it polls.
 */
export const createLive = (deps: { api: ApiClient; pollMs?: number; debounceMs?: number }) => {
  const status: Ref<LiveStatus | 'polling' | 'off'> = ref('off');
  const listeners = new Set<Listener>();
  const dirty = new Set<Listener>();
  let connection: { close(): void } | undefined;
  let poll: ReturnType<typeof setInterval> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** Waits (2 s at most) until the WIP read model has caught up with the log. */
  const readModelsCaughtUp = async (): Promise<void> => {
    for (let i = 0; i < 20; i += 1) {
      const ready = await deps.api.get<Ready>('/ready').catch(() => undefined);
      const wip = ready?.projections?.find((p) => p.projection === 'wip');
      if (!wip || wip.lagEvents === 0 || wip.lagEvents === null) return;
      await pause(100);
    }
  };
  const notify = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const now = [...dirty];
      dirty.clear();
      void readModelsCaughtUp().then(() => now.forEach((l) => l.refresh()));
    }, deps.debounceMs ?? 150);
  };
  const onEvent = (event: LiveEvent): void => {
    for (const l of listeners) if (l.prefixes.some((p) => event.streamId.startsWith(p))) dirty.add(l);
    if (dirty.size > 0) notify();
  };

  return {
    status,
    /** Resolves once the WIP read model has applied the log (2 s at most): then a read shows what was just done. */
    caughtUp: readModelsCaughtUp,
    async start(): Promise<void> {
      if (connection || poll) return;
      const ready = await deps.api.get<Ready>('/ready').catch(() => undefined);
      const head = ready?.eventStore?.headPosition ?? undefined;
      connection = connectLive({
        credentials: deps.api.credentials,
        ...(head ? { after: head } : {}),
        onEvent,
        onStatus: (s) => {
          status.value = s;
          // what changed before the stream (re)opened is read once: no event falls between a screen's read and the stream
          if (s === 'live') {
            listeners.forEach((l) => dirty.add(l));
            notify();
          }
          if (s !== 'unavailable') return;
          connection = undefined;
          status.value = 'polling';
          poll = setInterval(() => listeners.forEach((l) => l.refresh()), deps.pollMs ?? 10_000);
        },
      });
    },
    stop(): void {
      connection?.close();
      connection = undefined;
      clearInterval(poll);
      poll = undefined;
      status.value = 'off';
    },
    /** Calls `refresh` when events of these streams arrive; answers the way to stop. */
    watch(prefixes: readonly string[], refresh: () => void): () => void {
      const listener = { prefixes, refresh };
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        dirty.delete(listener);
      };
    },
  };
};

export type Live = ReturnType<typeof createLive>;
export const LIVE: InjectionKey<Live> = Symbol('live');

export const useLive = (): Live => {
  const live = inject(LIVE);
  if (!live) throw new Error('the live stream is provided by main.ts');
  return live;
};
