import { AckPolicy, DeliverPolicy, nanos, type JetStreamManager, type NatsError } from 'nats';

export type DeviceConsumerSpec = {
  stream: string;
  durable: string;
  /** Messages delivered and not yet acknowledged, at most. */
  maxInFlight: number;
  ackWaitMs: number;
};

/**
 * Recreates the durable consumer at the first unacknowledged message, so what was in flight comes
 * back in stream order before anything newer, instead of when its redelivery timer fires. Answers
 * the last sequence delivered before: messages up to it may have been handled already (a replay).
 */
export const recreateConsumer = async (
  jsm: JetStreamManager,
  { stream, durable, maxInFlight, ackWaitMs }: DeviceConsumerSpec,
): Promise<{ from: number; replayUntil: number }> => {
  let from = 0;
  let replayUntil = 0;
  try {
    const info = await jsm.consumers.info(stream, durable);
    from = info.ack_floor.stream_seq + 1;
    replayUntil = info.delivered.stream_seq;
    await jsm.consumers.delete(stream, durable);
  } catch (error) {
    if ((error as NatsError).api_error?.err_code !== 10014) throw error; // anything but "consumer not found"
  }
  await jsm.consumers.add(stream, {
    durable_name: durable,
    // an acknowledgement covers every earlier message: the ingestion acknowledges its settled floor
    ack_policy: AckPolicy.All,
    ...(from > 1
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from }
      : { deliver_policy: DeliverPolicy.All }),
    max_ack_pending: maxInFlight,
    ack_wait: nanos(ackWaitMs),
  });
  return { from, replayUntil };
};
