import type { CommandResult } from '../../app/commandHandler';
import { IllegalStateError, NotFoundError, ValidationError } from '../../domain/errors';
import type { Logger } from '../../lib/logger';
import { retryUntilDone } from '../../lib/retry';

/** Refusals that mean "already handled" when a message is replayed after a restart. */
const ORDER_RULES = new Set(['state-out-of-order', 'interval-overlap']);

/** What settling needs of a consumer session. */
export type SettlingSession = {
  /** Per machine, the work in order: a machine's messages are handled one after another. */
  lanes: Map<string, Promise<void>>;
  /** Messages up to this stream sequence were delivered before (maybe handled): a replay. */
  replayUntil: number;
  ended: boolean;
};

/** What settling needs of a transport (JetStream, OPC UA): `M` is its handle on one message. */
export type SettlementTransport<M> = {
  /** The message is done with: what it causes is appended (or known). */
  ack(m: M): void;
  /** Keeps the message with the reason where an operator finds it, then acknowledges it. */
  deadLetter(m: M, reason: string): Promise<void>;
  /** It was delivered before this session, and maybe handled: a replay. */
  isReplay(s: SettlingSession, m: M): boolean;
  /** Fields naming the message in the log. */
  describe(m: M): Record<string, unknown>;
};

/**
 * How device messages are settled: acknowledged once what they cause is appended, dead-lettered
 * with a reason when refused, retried in place on any other failure, one machine's work in order.
 */
export const createSettlement = <M>({ transport, logger }: { transport: SettlementTransport<M>; logger: Logger }) => {
  const deadLetter = async (m: M, reason: string): Promise<void> => {
    await transport.deadLetter(m, reason);
    logger.warn('device message dead-lettered', { ...transport.describe(m), reason });
  };

  /** Retries in place until it succeeds or the session ends (then the next session replays the messages). */
  const persistently = async (s: SettlingSession, what: string, action: () => Promise<void>): Promise<void> => {
    await retryUntilDone(action, {
      stopped: () => s.ended,
      onError: (error) => logger.error(`${what}; retrying`, { error }),
    });
  };

  const isReplay = (s: SettlingSession, m: M): boolean => transport.isReplay(s, m);

  /** Runs work after the machine's earlier work. */
  const enqueue = (s: SettlingSession, machineId: string, work: () => Promise<void>): void => {
    const next = (s.lanes.get(machineId) ?? Promise.resolve()).then(work).catch((error: unknown) => {
      logger.error('device lane failed', { machineId, error });
    });
    s.lanes.set(machineId, next);
    void next.then(() => {
      if (s.lanes.get(machineId) === next) s.lanes.delete(machineId);
    });
  };

  /** Runs a command for messages and settles them, in the machine's lane; `onDone` once the command is appended (or known). */
  const settle = (
    s: SettlingSession,
    machineId: string,
    work: () => Promise<CommandResult>,
    batch: M[],
    interval?: { lateReason: string; onDone: () => void },
  ): void => {
    const lateReason = interval?.lateReason;
    const replayed = batch.every((m) => isReplay(s, m));
    /** Undefined: acknowledge all; a reason: dead-letter (for a late interval, only what was not replayed). */
    const outcome = async (): Promise<string | undefined> => {
      try {
        const result = await work();
        interval?.onDone();
        // recorded before (by an earlier session, or while this one was closing it): these messages came too late
        return lateReason && result.duplicate && !replayed ? lateReason : undefined;
      } catch (error) {
        if (error instanceof IllegalStateError && replayed && ORDER_RULES.has(error.rule)) return undefined;
        if (error instanceof ValidationError || error instanceof NotFoundError || error instanceof IllegalStateError)
          return `${error.type}: ${error.message}`;
        throw error;
      }
    };
    // decided once: a dead letter that fails part-way is retried without running the command again
    let decided: { reason: string | undefined } | undefined;
    enqueue(s, machineId, () =>
      persistently(s, 'device message not appended', async () => {
        decided ??= { reason: await outcome() };
        const { reason } = decided;
        for (const m of batch) {
          // a replayed message of an interval already recorded was counted in it: only newer ones are late
          if (reason === undefined || (reason === lateReason && isReplay(s, m))) transport.ack(m);
          else await deadLetter(m, reason);
        }
      }),
    );
  };

  /** Dead-letters a message in the machine's lane (`''` for a message naming no machine). */
  const reject = (s: SettlingSession, machineId: string, m: M, reason: string): void =>
    enqueue(s, machineId, () => persistently(s, 'dead letter not published', () => deadLetter(m, reason)));

  /** A message late for an interval recorded in this session; when replayed, the session that first saw it settled it. */
  const late = (s: SettlingSession, machineId: string, m: M, reason: string): void => {
    if (isReplay(s, m)) enqueue(s, machineId, async () => transport.ack(m));
    else reject(s, machineId, m, reason);
  };

  return { settle, reject, late };
};
