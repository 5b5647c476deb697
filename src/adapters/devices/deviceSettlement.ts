import type { JetStreamClient, JsMsg } from 'nats';
import type { CommandResult } from '../../app/commandHandler';
import { IllegalStateError, NotFoundError, ValidationError } from '../../domain/errors';
import type { Logger } from '../../lib/logger';
import { retryUntilDone } from '../../lib/retry';
import { publishDeadLetter } from '../natsStreams';

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

/**
 * How device messages are settled: acknowledged once what they cause is appended, dead-lettered
 * with a reason when refused, retried in place on any other failure, one machine's work in order.
 */
export const createSettlement = ({ js, logger }: { js: JetStreamClient; logger: Logger }) => {
  const deadLetter = async (m: JsMsg, reason: string): Promise<void> => {
    await publishDeadLetter(js, m, reason);
    m.ack();
    logger.warn('device message dead-lettered', { subject: m.subject, sequence: m.info.streamSequence, reason });
  };

  /** Retries in place until it succeeds or the session ends (then the next session replays the messages). */
  const persistently = async (s: SettlingSession, what: string, action: () => Promise<void>): Promise<void> => {
    await retryUntilDone(action, {
      stopped: () => s.ended,
      onError: (error) => logger.error(`${what}; retrying`, { error }),
    });
  };

  const isReplay = (s: SettlingSession, m: JsMsg): boolean => m.info.streamSequence <= s.replayUntil;

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
    batch: JsMsg[],
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
          if (reason === undefined || (reason === lateReason && isReplay(s, m))) m.ack();
          else await deadLetter(m, reason);
        }
      }),
    );
  };

  /** Dead-letters a message in the machine's lane (`''` for a message naming no machine). */
  const reject = (s: SettlingSession, machineId: string, m: JsMsg, reason: string): void =>
    enqueue(s, machineId, () => persistently(s, 'dead letter not published', () => deadLetter(m, reason)));

  /** A message late for an interval recorded in this session; when replayed, the session that first saw it settled it. */
  const late = (s: SettlingSession, machineId: string, m: JsMsg, reason: string): void => {
    if (isReplay(s, m)) enqueue(s, machineId, async () => m.ack());
    else reject(s, machineId, m, reason);
  };

  return { settle, reject, late };
};
