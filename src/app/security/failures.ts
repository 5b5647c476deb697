import type { LoginFailure, LoginMethod } from '../../domain/security';
import type { Logger } from '../../lib/logger';
import type { SecurityLog } from './securityLog';
import type { Throttle } from './throttle';

export type Failure = {
  method: LoginMethod;
  reason: LoginFailure;
  address: string;
  /** The account claimed (login, badge, key id), when there was one. */
  subject?: string;
  /** The scope counted toward the account's lock (`li.wei`, `badge:B-7`); none for keys. */
  account?: string;
  correlationId: string;
};

/**
 * Every failed login: a warning in the log with the source address and the reason, a LoginFailed
 * security event, and a count toward the account's and the address's lock (a lock is an event too).
 */
export const createFailureRecorder =
  (deps: { throttle: Throttle; log: SecurityLog; logger: Logger }) =>
  async (failure: Failure): Promise<void> => {
    const { method, reason, address, subject, correlationId } = failure;
    deps.logger.warn('login failed', { method, reason, address, subject, requestId: correlationId });
    await deps.log.record(
      { type: 'LoginFailed', data: { method, reason, address, ...(subject ? { subject } : {}) } },
      subject ?? 'anonymous',
      correlationId,
    );
    if (reason === 'locked') return;
    for (const lock of await deps.throttle.fail(address, failure.account)) {
      const until = new Date(lock.until).toISOString();
      deps.logger.warn('login locked out', { scope: lock.scope, subject: lock.subject, address, until });
      await deps.log.record(
        {
          type: 'LoginLockedOut',
          data: { scope: lock.scope, subject: lock.subject, address, failures: lock.failures, until },
        },
        lock.subject,
        correlationId,
      );
    }
  };

export type FailureRecorder = ReturnType<typeof createFailureRecorder>;
