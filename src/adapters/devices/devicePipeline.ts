import type { CommandContext, CommandHandler } from '../../app/commandHandler';
import { unreachable } from '../../domain/messages';
import type { Logger } from '../../lib/logger';
import { stateCommand, type ParsedDeviceMessage } from './deviceMessages';
import { createSettlement, type SettlementTransport, type SettlingSession } from './deviceSettlement';
import { createWindowing, type ClosedInterval, type Windowing } from './windowing';

export type DevicePipelineOptions<M> = {
  commands: CommandHandler;
  logger: Logger;
  transport: SettlementTransport<M>;
  intervalMs: number;
  graceMs: number;
  /** The server's clock: when a message is taken in (its `receivedAt`, the bound of its device time). */
  clock: () => Date;
  /** The same clock in ms since the epoch, read for every message. Default: `clock().getTime()`. */
  now?: () => number;
};

/** One run of a transport's messages: its intervals, its machines' lanes. */
export type PipelineSession<M> = SettlingSession & {
  windowing: Windowing<M>;
  /** Replaying messages delivered before: intervals close on device time only. */
  replaying: boolean;
};

/**
 * The one path every device transport (JetStream, OPC UA) feeds: a checked reading is windowed
 * (`windowing.ts`), becomes a command in its machine's lane, and is settled (`deviceSettlement.ts`):
 * acknowledged once appended, dead-lettered with the reason when refused, retried in place otherwise.
 */
export const createDevicePipeline = <M>({
  commands,
  logger,
  transport,
  intervalMs,
  graceMs,
  clock,
  now = () => clock().getTime(),
}: DevicePipelineOptions<M>) => {
  const { settle, reject, late } = createSettlement<M>({ transport, logger });

  // a device time later than the server's plus the skew is refused (dead letter naming `at`)
  const context = (machineId: string, commandId: string, inputId?: string): CommandContext => ({
    commandId,
    correlationId: `device:${machineId}`,
    source: 'device',
    receivedAt: clock().toISOString(),
    clientTimeField: '/at',
    ...(inputId ? { inputId } : {}),
  });

  const session = (replayUntil: number): PipelineSession<M> => ({
    windowing: createWindowing<M>({ intervalMs, graceMs }),
    lanes: new Map(),
    replayUntil,
    replaying: replayUntil > 0,
    ended: false,
  });

  const append = (s: PipelineSession<M>, interval: ClosedInterval<M>): void => {
    const { machineId, command, commandId, messages, lateReason } = interval;
    const work = () => commands.handle('machine', machineId, command, context(machineId, commandId));
    settle(s, machineId, work, messages, { lateReason, onDone: () => s.windowing.markRecorded(interval) });
  };

  /** Takes in one message, checked or refused; `messageId` names a state message (its command's id). */
  const take = (s: PipelineSession<M>, parsed: ParsedDeviceMessage<M>, m: M, messageId: () => string): void => {
    if (!parsed.ok) return reject(s, parsed.machineId, m, parsed.reason);
    const { machineId } = parsed.reading;
    const admission = s.windowing.add(parsed.reading, now());
    switch (admission.action) {
      case 'ack':
        return transport.ack(m);
      case 'held':
        return;
      case 'late':
        return late(s, machineId, m, admission.reason);
      case 'pass': {
        const id = messageId();
        const command = stateCommand(machineId, parsed.at, parsed.payload);
        const work = () =>
          commands.handle('machine', machineId, command, context(machineId, `device:${parsed.site}:${id}`, id));
        return settle(s, machineId, work, [m]);
      }
      default:
        return unreachable(admission);
    }
  };

  /**
   * Appends the intervals due to close now. `backlog`: the transport has messages for this session
   * that it has not taken in yet (a consumer behind its stream, or held at its limit of messages in
   * flight); a machine's silence may then be its messages waiting, so intervals close on device time
   * only, as when replaying, not for being quiet.
   */
  const tick = (s: PipelineSession<M>, backlog = false): void => {
    for (const interval of s.windowing.closeDue(now(), !s.replaying && !backlog)) append(s, interval);
  };

  /** How often `tick` should run. */
  const tickMs = Math.max(20, Math.min(1_000, Math.floor(graceMs / 10)));

  /** Ends a session once its lanes are done; its open intervals are dropped unsettled. */
  const end = async (s: PipelineSession<M>): Promise<void> => {
    s.ended = true;
    await Promise.all(s.lanes.values());
  };

  return { session, take, tick, tickMs, end };
};
