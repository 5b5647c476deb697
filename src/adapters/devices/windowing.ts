import type { RecordCount, RecordEnergy, RecordTelemetry } from '../../domain/machine';
import { addSamples, signalAggregates, type SignalSums } from '../../lib/signalSamples';

export type DeviceKind = 'state' | 'energy' | 'count' | 'telemetry';
export type IntervalKind = 'energy' | 'count' | 'telemetry';

/** A device message that passed validation; `message` is the transport's handle on it. */
export type DeviceReading<M> = {
  machineId: string;
  kind: DeviceKind;
  /** Device time, ms since the epoch. */
  at: number;
  kWh?: number;
  total?: number;
  /** Default: `total`. */
  good?: number;
  product?: string;
  /** Telemetry: each signal's sampled value. */
  values?: Record<string, number>;
  message: M;
};

/** What becomes of a reading as it arrives. */
export type Admission =
  /** Telemetry without values: it only moves its machine's watermark. */
  | { action: 'ack' }
  /** A state message: handled on its own, in arrival order. */
  | { action: 'pass' }
  /** It joined an open interval: it is settled when that interval closes. */
  | { action: 'held' }
  /** Its interval was already recorded: it cannot join it any more. */
  | { action: 'late'; reason: string };

/** An interval that has closed: its command, and the messages to settle once it is appended. */
export type ClosedInterval<M> = {
  machineId: string;
  kind: IntervalKind;
  start: number;
  end: number;
  /** The same interval always gets the same id, so appending it twice writes it once. */
  commandId: string;
  command: RecordEnergy | RecordCount | RecordTelemetry;
  messages: M[];
  /** Why a message that arrives once this interval is recorded is dead-lettered. */
  lateReason: string;
};

export type WindowingOptions = {
  /** Length of an interval, device time. */
  intervalMs: number;
  /** How long past an interval's end its messages may still arrive. */
  graceMs: number;
};

/**
 * A machine's newest device time and its open intervals (a few: three kinds, one or two intervals each);
 * `nextDue`: the device time past which the first of them closes (end plus grace), Infinity with none.
 */
type MachineWindows<M> = { watermark: number; open: Array<Bucket<M>>; nextDue: number };

type Bucket<M> = {
  machineId: string;
  machine: MachineWindows<M>;
  kind: IntervalKind;
  start: number;
  kWh: number;
  total: number;
  good: number;
  product?: string;
  /** Telemetry: per signal, the samples' count, extremes, sums, and the newest (by device time). */
  signals: Map<string, SignalSums>;
  messages: M[];
  /** Wall-clock time of the last message that joined. */
  touched: number;
};

const round = (value: number): number => Math.round(value * 1e6) / 1e6;

/**
 * Intervals remembered as recorded, per machine and kind. A message for an older one, or for one
 * closed and not yet recorded, forms a new interval whose append the store finds already done.
 */
const RECORDED_KEPT = 32;

const ACK: Admission = { action: 'ack' };
const PASS: Admission = { action: 'pass' };
const HELD: Admission = { action: 'held' };

const isoOf = (ms: number): string => new Date(ms).toISOString();

const hasValues = (values: Record<string, number> | undefined): boolean => {
  for (const _ in values) return true;
  return false;
};

/** `start` and `end` as ms since the epoch, or already as ISO 8601 text. */
export const lateReason = (kind: IntervalKind, start: number | string, end: number | string): string =>
  `late: the ${kind} interval ${typeof start === 'string' ? start : isoOf(start)}/${typeof end === 'string' ? end : isoOf(end)} was already recorded`;

/**
 * Sums energy and counts per machine per interval of device time. Each machine has a watermark, the
 * newest device time it has sent; an interval closes when its machine's watermark is past its end
 * plus the grace, or (`quiet`) when the server's clock is that far past it and no message joined for the
 * grace. No I/O: time comes in as arguments, what to do goes out as answers.
 */
export const createWindowing = <M>({ intervalMs, graceMs }: WindowingOptions) => {
  /** Per machine, looked up once per message; no key is built for a message joining an open interval. */
  const machines = new Map<string, MachineWindows<M>>();
  /** Open intervals in the order they were opened. */
  const opened = new Set<Bucket<M>>();
  const recorded = new Map<string, number[]>();
  /** A machine's watermark reached an open interval's end plus the grace since `closeDue` last ran. */
  let due = false;

  const add = (reading: DeviceReading<M>, now: number): Admission => {
    const { machineId, kind, at } = reading;
    let machine = machines.get(machineId);
    if (!machine) machines.set(machineId, (machine = { watermark: at, open: [], nextDue: Infinity }));
    else if (at > machine.watermark) {
      machine.watermark = at;
      if (at >= machine.nextDue) due = true;
    }
    if (kind === 'state') return PASS;
    if (kind === 'telemetry' && !hasValues(reading.values)) return ACK;
    const start = Math.floor(at / intervalMs) * intervalMs;
    let bucket: Bucket<M> | undefined;
    for (const b of machine.open) {
      if (b.start === start && b.kind === kind) {
        bucket = b;
        break;
      }
    }
    if (!bucket) {
      // a message joining an open interval is never late: only a new one needs looking up
      if (recorded.get(`${machineId}|${kind}`)?.includes(start))
        return { action: 'late', reason: lateReason(kind, start, start + intervalMs) };
      bucket = {
        machineId,
        machine,
        kind,
        start,
        kWh: 0,
        total: 0,
        good: 0,
        signals: new Map(),
        messages: [],
        touched: now,
      };
      machine.open.push(bucket);
      opened.add(bucket);
      const bucketDue = start + intervalMs + graceMs;
      if (bucketDue < machine.nextDue) machine.nextDue = bucketDue;
      // opened behind its machine's watermark (a message for an earlier interval): it closes at once
      if (machine.watermark >= bucketDue) due = true;
    }
    bucket.kWh += reading.kWh ?? 0;
    bucket.total += reading.total ?? 0;
    bucket.good += reading.good ?? reading.total ?? 0;
    if (reading.product) bucket.product = reading.product;
    if (reading.values) addSamples(bucket.signals, reading.values, at);
    bucket.messages.push(reading.message);
    bucket.touched = now;
    return HELD;
  };

  /** Told once a closed interval is appended (or found appended before): later messages for it are late. */
  const markRecorded = ({ machineId, kind, start }: Pick<ClosedInterval<M>, 'machineId' | 'kind' | 'start'>): void => {
    const lane = `${machineId}|${kind}`;
    const starts = recorded.get(lane) ?? [];
    starts.push(start);
    if (starts.length > RECORDED_KEPT) starts.shift();
    recorded.set(lane, starts);
  };

  const toClosed = (bucket: Bucket<M>): ClosedInterval<M> => {
    const { machineId, kind, start } = bucket;
    const end = start + intervalMs;
    const interval = { machineId, intervalStart: isoOf(start), intervalEnd: isoOf(end) };
    const meta = { now: interval.intervalEnd, actor: `device:${machineId}` };
    const command: RecordEnergy | RecordCount | RecordTelemetry =
      kind === 'energy'
        ? { type: 'RecordEnergy', data: { ...interval, kWh: round(bucket.kWh) }, meta }
        : kind === 'telemetry'
          ? {
              type: 'RecordTelemetry',
              data: {
                ...interval,
                signals: signalAggregates(bucket.signals),
              },
              meta,
            }
          : {
              type: 'RecordCount',
              data: {
                ...interval,
                total: bucket.total,
                good: bucket.good,
                ...(bucket.product ? { product: bucket.product } : {}),
              },
              meta,
            };
    const commandId = `device:${kind}:${machineId}:${start}`;
    return {
      machineId,
      kind,
      start,
      end,
      commandId,
      command,
      messages: bucket.messages,
      lateReason: lateReason(kind, interval.intervalStart, interval.intervalEnd),
    };
  };

  /** The intervals due to close at `now` (the server's clock), in the order they were opened; `quiet`: false while replaying. */
  const closeDue = (now: number, quiet: boolean): Array<ClosedInterval<M>> => {
    const closed: Array<ClosedInterval<M>> = [];
    due = false;
    for (const bucket of opened) {
      const due = bucket.start + intervalMs + graceMs;
      const passed = bucket.machine.watermark >= due;
      if (passed || (quiet && now >= due && now - bucket.touched >= graceMs)) {
        opened.delete(bucket);
        const { open } = bucket.machine;
        open.splice(open.indexOf(bucket), 1);
        bucket.machine.nextDue = open.reduce((first, b) => Math.min(first, b.start + intervalMs + graceMs), Infinity);
        closed.push(toClosed(bucket));
      }
    }
    return closed;
  };

  return {
    add,
    closeDue,
    markRecorded,
    watermark: (machineId: string): number | undefined => machines.get(machineId)?.watermark,
    /**
     * A machine's messages have passed an open interval's end plus the grace since `closeDue` last ran:
     * it has an interval to close now, on device time, whatever the wall clock says.
     */
    get due(): boolean {
      return due;
    },
  };
};

export type Windowing<M> = ReturnType<typeof createWindowing<M>>;
