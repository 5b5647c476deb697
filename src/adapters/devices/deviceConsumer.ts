import {
  AckPolicy,
  DeliverPolicy,
  nanos,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  type NatsError,
} from 'nats';

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

/** Where the dots of a reply subject are: reused, so reading a delivery's numbers builds nothing. */
const dots = new Int32Array(12);
const PREFIX = new TextEncoder().encode('$JS.ACK.');
const DOT = 46;
const ZERO = 48;

/** The number in token `index` of a subject whose dots are in `dots`; NaN if it is not digits. */
const tokenNumber = (reply: Uint8Array, index: number, count: number): number => {
  const from = (dots[index - 1] as number) + 1;
  const to = index < count ? (dots[index] as number) : reply.length;
  if (to <= from) return Number.NaN;
  let n = 0;
  for (let i = from; i < to; i += 1) {
    const digit = (reply[i] as number) - ZERO;
    if (digit < 0 || digit > 9) return Number.NaN;
    n = n * 10 + digit;
  }
  return n;
};

/** The numbers `readReply` read last (reused: reading them builds nothing). */
const read = { sequence: 0, pending: 0 };

/** Reads the stream sequence and pending count of a reply subject into `read`; false when it is not of either form. */
const readReply = (reply: Uint8Array): boolean => {
  if (reply.length <= PREFIX.length) return false;
  for (let i = 0; i < PREFIX.length; i += 1) if (reply[i] !== PREFIX[i]) return false;
  let count = 0;
  for (let i = 0; i < reply.length; i += 1) {
    if (reply[i] !== DOT) continue;
    if (count === dots.length) return false;
    dots[count++] = i;
  }
  const tokens = count + 1;
  const shift = tokens === 9 ? -2 : tokens === 11 || tokens === 12 ? 0 : undefined;
  if (shift === undefined) return false;
  read.sequence = tokenNumber(reply, 7 + shift, count);
  read.pending = tokenNumber(reply, 10 + shift, count);
  return !Number.isNaN(read.sequence) && !Number.isNaN(read.pending);
};

/**
 * nats.js's JsMsg keeps its reply subject as the bytes it received (`msg._msg.reply`), decoded to text
 * only when asked (an acknowledgement): read as bytes, the numbers cost no decoding. Neither its
 * interface nor its internals promise either: the text, then `info`, are read when they are not there.
 */
const replyBytes = (m: JsMsg): Uint8Array | undefined => {
  const raw = (m as unknown as { msg?: { _msg?: { reply?: unknown } } }).msg?._msg?.reply;
  if (raw instanceof Uint8Array) return raw;
  const text = (m as JsMsg & { reply?: unknown }).reply;
  return typeof text === 'string' ? new TextEncoder().encode(text) : undefined;
};

/**
 * What the ingestion keeps of a delivered message while it is in flight (until its interval is appended):
 * the numbers it reads, and what an acknowledgement or a dead letter needs. Not nats.js's JsMsg, whose
 * message, arguments and three buffer views, held for tens of thousands of messages at once, were most
 * of what every young-generation collection had to copy; nor a view of its payload and reply subject
 * (two objects of about 100 bytes each per message held): where their bytes lie in the buffers nats.js
 * read them into (read back with `payloadOf` and `replyOf`, for a dead letter and an acknowledgement).
 */
export type Delivery = {
  /** Its stream sequence. */
  sequence: number;
  /** How many messages the stream held for the consumer, not yet delivered, when this one was. */
  pending: number;
  subject: string;
  /** The payload as received: the buffer it lies in, where, and how long. */
  payload: ArrayBufferLike;
  payloadOffset: number;
  payloadLength: number;
  /** Where its acknowledgement goes: the reply subject as received (none only for a message without one). */
  reply: ArrayBufferLike;
  replyOffset: number;
  replyLength: number;
};

const NONE = new Uint8Array(0);

/**
 * A delivery's numbers read from its reply subject as nats.js's `info` reads them, without building
 * its DeliveryInfo (twelve strings and an object) for every message:
 * `$JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>[.<token>]`,
 * or the older form without domain and account hash; `info` itself for any other. `data`: its payload,
 * as nats.js hands it over (read once by the caller too); `subject`: its subject, the same text (one kept
 * rather than the message's own, say).
 */
export const deliveryOf = (message: JsMsg, data: Uint8Array = message.data, subject = message.subject): Delivery => {
  // none only for a message without a reply subject, which nothing can acknowledge
  const reply = replyBytes(message) ?? NONE;
  const known = readReply(reply);
  return {
    sequence: known ? read.sequence : message.info.streamSequence,
    pending: known ? read.pending : message.info.pending,
    subject,
    payload: data.buffer,
    payloadOffset: data.byteOffset,
    payloadLength: data.byteLength,
    reply: reply.buffer,
    replyOffset: reply.byteOffset,
    replyLength: reply.byteLength,
  };
};

/** A delivery's payload, as received. */
export const payloadOf = (d: Delivery): Uint8Array => new Uint8Array(d.payload, d.payloadOffset, d.payloadLength);

const utf8 = new TextDecoder();

/** A delivery's reply subject, where its acknowledgement goes. */
export const replyOf = (d: Delivery): string => utf8.decode(new Uint8Array(d.reply, d.replyOffset, d.replyLength));

const ACK = new TextEncoder().encode('+ACK');

/**
 * Acknowledges a delivery (with AckPolicy.All, every earlier one too): what JsMsg.ack() sends, `+ACK`
 * to its reply subject.
 */
export const acknowledge = (nc: NatsConnection, d: Delivery): void => {
  nc.publish(replyOf(d), ACK);
};
