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

/** Scopes whose lock (or its absence) is remembered; beyond, the least recently read is read again from the store. */
const REMEMBERED = 10_000;

/**
 * Login failures counted per account and per source address; a lock lifts when its window has passed.
 * Every request's address is checked, so the lock of each scope is read from the store once and then
 * remembered (0: none): the store's failures change only through this throttle's `fail` and `succeed`,
 * which set what is remembered from what they wrote (one throttle per sessions.db: one backbone process).
 */
export const createThrottle = (store: SessionStore, options: ThrottleOptions, now: () => number) => {
  const locks = new Map<string, number>();
  const remember = (scope: string, until: number): void => {
    locks.delete(scope);
    if (locks.size >= REMEMBERED) locks.delete(locks.keys().next().value as string);
    locks.set(scope, until);
  };
  const lockOf = async (scope: string, at: number): Promise<number> => {
    const known = locks.get(scope);
    if (known !== undefined) return known;
    const until = (await store.lockedUntil(scope, at)) ?? 0;
    // a fail() of the same scope while the store was read has set what is remembered since: it stands
    if (!locks.has(scope)) remember(scope, until);
    return locks.get(scope) as number;
  };
  const failOf = async (scope: string, at: number, max: number) => {
    const count = await store.fail(scope, at, options.windowMs, max);
    remember(scope, count.lockedUntil ?? 0);
    return count;
  };
  return {
    /** Throws TooManyAttemptsError while the address or the account is locked. */
    async check(address: string, account?: string): Promise<void> {
      const at = now();
      for (const scope of [`address:${address}`, ...(account ? [`account:${account}`] : [])]) {
        const until = await lockOf(scope, at);
        if (until > at)
          throw new TooManyAttemptsError(
            `too many failed logins for this ${scope.slice(0, scope.indexOf(':'))}; try again later`,
            Math.max(1, Math.ceil((until - at) / 1000)),
          );
      }
    },
    /** Counts a failure; returns the locks it set. */
    async fail(address: string, account?: string): Promise<Lock[]> {
      const at = now();
      const locks_: Lock[] = [];
      const address_ = await failOf(`address:${address}`, at, options.maxPerAddress);
      if (address_.lockedUntil && address_.failures === options.maxPerAddress)
        locks_.push({ scope: 'address', subject: address, failures: address_.failures, until: address_.lockedUntil });
      if (account) {
        const account_ = await failOf(`account:${account}`, at, options.maxPerAccount);
        if (account_.lockedUntil && account_.failures === options.maxPerAccount)
          locks_.push({ scope: 'account', subject: account, failures: account_.failures, until: account_.lockedUntil });
      }
      return locks_;
    },
    async succeed(account: string): Promise<void> {
      await store.clearFailures(`account:${account}`);
      remember(`account:${account}`, 0);
    },
  };
};

export type Throttle = ReturnType<typeof createThrottle>;
