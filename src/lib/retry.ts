import { setTimeout as sleep } from 'node:timers/promises';

export type RetryOptions = {
  /** Checked before each try and after each failure: true gives up. */
  stopped: () => boolean;
  /** Told of each failure and how long the next try waits. */
  onError: (error: unknown, retryInMs: number) => void;
  /** The first wait; each next one is twice as long. Default 250 ms. */
  firstMs?: number;
  /** The longest wait. Default 10 s. */
  maxMs?: number;
};

/**
 * Runs `action` until it succeeds (true) or `stopped()` says to give up (false): the background loops'
 * answer to a store or a broker that fails for a while. A loop that gets false must not go past the
 * work it was doing.
 */
export const retryUntilDone = async (action: () => Promise<void>, options: RetryOptions): Promise<boolean> => {
  const maxMs = options.maxMs ?? 10_000;
  for (let delay = options.firstMs ?? 250; ; delay = Math.min(delay * 2, maxMs)) {
    if (options.stopped()) return false;
    try {
      await action();
      return true;
    } catch (error) {
      if (options.stopped()) return false;
      options.onError(error, delay);
      await sleep(delay);
    }
  }
};
