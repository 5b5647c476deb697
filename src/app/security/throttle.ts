import { TooManyAttemptsError } from '../../domain/errors';
import type { SessionStore } from './sessionStore';

export type ThrottleOptions = {
  /** Failures of one account (login, badge) within the window that lock it. Default 5. */
  maxPerAccount: number;
  /** Failures from one source address within the window that lock it. Default 20. */
  maxPerAddress: number;
  /** The window failures are counted in, and how long a lock lasts. Default 15 min. */
  windowMs: number;
};

export type Lock = { scope: 'account' | 'address'; subject: string; failures: number; until: number };

/** Login failures counted per account and per source address; a lock lifts when its window has passed. */
export const createThrottle = (store: SessionStore, options: ThrottleOptions, now: () => number) => ({
  /** Throws TooManyAttemptsError while the address or the account is locked. */
  async check(address: string, account?: string): Promise<void> {
    const at = now();
    for (const scope of [`address:${address}`, ...(account ? [`account:${account}`] : [])]) {
      const until = await store.lockedUntil(scope, at);
      if (until)
        throw new TooManyAttemptsError(
          `too many failed logins for this ${scope.slice(0, scope.indexOf(':'))}; try again later`,
          Math.max(1, Math.ceil((until - at) / 1000)),
        );
    }
  },
  /** Counts a failure; returns the locks it set. */
  async fail(address: string, account?: string): Promise<Lock[]> {
    const at = now();
    const locks: Lock[] = [];
    const address_ = await store.fail(`address:${address}`, at, options.windowMs, options.maxPerAddress);
    if (address_.lockedUntil && address_.failures === options.maxPerAddress)
      locks.push({ scope: 'address', subject: address, failures: address_.failures, until: address_.lockedUntil });
    if (account) {
      const account_ = await store.fail(`account:${account}`, at, options.windowMs, options.maxPerAccount);
      if (account_.lockedUntil && account_.failures === options.maxPerAccount)
        locks.push({ scope: 'account', subject: account, failures: account_.failures, until: account_.lockedUntil });
    }
    return locks;
  },
  succeed: (account: string): Promise<void> => store.clearFailures(`account:${account}`),
});

export type Throttle = ReturnType<typeof createThrottle>;
