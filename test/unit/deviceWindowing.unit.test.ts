import { expect } from 'chai';
import { createWindowing, type DeviceReading } from '../../src/adapters/devices/windowing';

const T0 = Date.parse('2026-11-25T06:00:00Z');
const INTERVAL = 10_000;
const GRACE = 1_000;
/** A wall clock long before the device times: only watermarks close intervals. */
const EARLY = T0 - 3_600_000;

type Msg = string;
const reading = (
  message: Msg,
  machineId: string,
  kind: DeviceReading<Msg>['kind'],
  atSeconds: number,
  values: Partial<Pick<DeviceReading<Msg>, 'kWh' | 'total' | 'good' | 'product' | 'values'>> = {},
): DeviceReading<Msg> => ({ message, machineId, kind, at: T0 + atSeconds * 1_000, ...values });

const open = () => createWindowing<Msg>({ intervalMs: INTERVAL, graceMs: GRACE });

describe('device windowing (intervals, watermarks, lateness)', () => {
  it('keeps telemetry as aggregates per signal per interval: count, min, max, mean, RMS and the newest value', () => {
    const w = open();
    // vibration RMS 3, 4 (and 0 in another message order), spindle load twice; the newest by device time is last
    w.add(reading('t1', 'M1', 'telemetry', 1, { values: { vibration: 3, load: 50 } }), EARLY);
    w.add(reading('t3', 'M1', 'telemetry', 8, { values: { vibration: 0 } }), EARLY);
    w.add(reading('t2', 'M1', 'telemetry', 5, { values: { vibration: 4, load: 70 } }), EARLY);
    w.add(reading('t0', 'M1', 'telemetry', 6), EARLY);
    w.add(reading('x', 'M1', 'state', 12), EARLY);
    const [closed, ...rest] = w.closeDue(EARLY, false);
    expect(rest).to.deep.equal([]);
    expect(closed?.messages, 'a message without values is only acknowledged').to.deep.equal(['t1', 't3', 't2']);
    expect(closed?.commandId).to.equal(`device:telemetry:M1:${T0}`);
    expect(closed?.command).to.deep.equal({
      type: 'RecordTelemetry',
      data: {
        machineId: 'M1',
        intervalStart: '2026-11-25T06:00:00.000Z',
        intervalEnd: '2026-11-25T06:00:10.000Z',
        signals: [
          { signal: 'load', count: 2, min: 50, max: 70, mean: 60, rms: 60.827625, last: 70 },
          // RMS = √((9 + 16 + 0) / 3) = 2.886751; the newest sample (t = 8 s) is 0
          { signal: 'vibration', count: 3, min: 0, max: 4, mean: 2.333333, rms: 2.886751, last: 0 },
        ],
      },
      meta: { now: '2026-11-25T06:00:10.000Z', actor: 'device:M1' },
    });
  });

  it('sums counts and kWh per machine per interval into one command each', () => {
    const w = open();
    w.add(reading('c1', 'M1', 'count', 1, { total: 5, good: 4, product: 'P-1' }), EARLY);
    w.add(reading('c2', 'M1', 'count', 9, { total: 3 }), EARLY);
    w.add(reading('e1', 'M1', 'energy', 2, { kWh: 0.1 }), EARLY);
    w.add(reading('e2', 'M1', 'energy', 3, { kWh: 0.2 }), EARLY);
    w.add(reading('c3', 'M1', 'count', 10, { total: 7 }), EARLY);
    w.add(reading('t', 'M1', 'telemetry', 30), EARLY);
    const closed = w.closeDue(EARLY, false);
    expect(closed.map((c) => [c.command, c.messages])).to.deep.equal([
      [
        {
          type: 'RecordCount',
          data: {
            machineId: 'M1',
            intervalStart: '2026-11-25T06:00:00.000Z',
            intervalEnd: '2026-11-25T06:00:10.000Z',
            total: 8,
            good: 7, // a message without `good` counts all its parts good
            product: 'P-1',
          },
          meta: { now: '2026-11-25T06:00:10.000Z', actor: 'device:M1' },
        },
        ['c1', 'c2'],
      ],
      [
        {
          type: 'RecordEnergy',
          data: {
            machineId: 'M1',
            intervalStart: '2026-11-25T06:00:00.000Z',
            intervalEnd: '2026-11-25T06:00:10.000Z',
            kWh: 0.3, // rounded to the µWh, not 0.30000000000000004
          },
          meta: { now: '2026-11-25T06:00:10.000Z', actor: 'device:M1' },
        },
        ['e1', 'e2'],
      ],
      [
        {
          type: 'RecordCount',
          data: {
            machineId: 'M1',
            intervalStart: '2026-11-25T06:00:10.000Z',
            intervalEnd: '2026-11-25T06:00:20.000Z',
            total: 7,
            good: 7,
          },
          meta: { now: '2026-11-25T06:00:20.000Z', actor: 'device:M1' },
        },
        ['c3'],
      ],
    ]);
    expect(closed.map((c) => c.commandId)).to.deep.equal([
      `device:count:M1:${T0}`,
      `device:energy:M1:${T0}`,
      `device:count:M1:${T0 + INTERVAL}`,
    ]);
  });

  it('closes an interval once its machine’s messages are past its end plus the grace, not before', () => {
    const w = open();
    expect(w.add(reading('c1', 'M1', 'count', 4, { total: 1 }), EARLY)).to.deep.equal({ action: 'held' });
    w.add(reading('c2', 'M1', 'count', 10.999, { total: 1 }), EARLY);
    expect(w.closeDue(EARLY, true), 'watermark 1 ms short of end + grace').to.deep.equal([]);
    w.add(reading('c3', 'M1', 'count', 11, { total: 1 }), EARLY);
    expect(w.closeDue(EARLY, true).map((c) => c.messages)).to.deep.equal([['c1']]);
    expect(w.watermark('M1')).to.equal(T0 + 11_000);
  });

  it('says when a machine’s messages have passed an open interval’s end plus the grace, until it is closed', () => {
    const w = open();
    w.add(reading('c1', 'M1', 'count', 4, { total: 1 }), EARLY);
    w.add(reading('c2', 'M1', 'count', 10.999, { total: 1 }), EARLY);
    expect(w.due, 'watermark 1 ms short of end + grace').to.equal(false);
    w.add(reading('s1', 'M1', 'state', 11), EARLY);
    expect(w.due, 'any message moves the watermark, a state change too').to.equal(true);
    expect(w.closeDue(EARLY, false).map((c) => c.messages)).to.deep.equal([['c1']]);
    expect(w.due).to.equal(false);
    // the interval c2 opened closes at 21 s: later messages before then leave nothing due
    w.add(reading('c3', 'M1', 'count', 20, { total: 1 }), EARLY);
    expect(w.due).to.equal(false);
    // a message for an interval its machine's messages passed already opens one due at once
    w.add(reading('c4', 'M1', 'count', 21, { total: 1 }), EARLY);
    expect(w.closeDue(EARLY, false).map((c) => c.messages)).to.deep.equal([['c2']]);
    w.add(reading('e1', 'M1', 'energy', 2, { kWh: 1 }), EARLY);
    expect(w.due, 'an energy interval behind the watermark').to.equal(true);
    expect(w.closeDue(EARLY, false).map((c) => c.messages)).to.deep.equal([['e1']]);
  });

  it('closes an interval when quiet: the wall clock past its end plus the grace and nothing joined for the grace', () => {
    const w = open();
    const end = T0 + INTERVAL;
    w.add(reading('c1', 'M1', 'count', 5, { total: 2 }), end + 500);
    expect(w.closeDue(end + GRACE, true), 'a message joined 500 ms ago').to.deep.equal([]);
    expect(w.closeDue(end + 1_500, false), 'replaying: only watermarks close').to.deep.equal([]);
    expect(w.closeDue(end + 1_500, true).map((c) => c.messages)).to.deep.equal([['c1']]);
  });

  it('refuses a message for an interval already recorded, with the reason, and takes the next interval’s', () => {
    const w = open();
    w.add(reading('e1', 'M1', 'energy', 1, { kWh: 1 }), EARLY);
    w.add(reading('s', 'M1', 'state', 12), EARLY);
    const [closed] = w.closeDue(EARLY, false);
    const reason = 'late: the energy interval 2026-11-25T06:00:00.000Z/2026-11-25T06:00:10.000Z was already recorded';
    expect(closed?.lateReason).to.equal(reason);
    // closed but not yet appended: a message for it opens it again, under the same command id
    expect(w.add(reading('e2', 'M1', 'energy', 8, { kWh: 5 }), EARLY)).to.deep.equal({ action: 'held' });
    const again = w.closeDue(EARLY, false);
    expect(again.map((c) => [c.commandId, c.messages])).to.deep.equal([[closed?.commandId, ['e2']]]);
    w.markRecorded(closed as NonNullable<typeof closed>);
    expect(w.add(reading('e3', 'M1', 'energy', 9, { kWh: 5 }), EARLY)).to.deep.equal({ action: 'late', reason });
    expect(w.add(reading('e4', 'M1', 'energy', 10, { kWh: 2 }), EARLY)).to.deep.equal({ action: 'held' });
    expect(w.add(reading('c', 'M1', 'count', 9, { total: 1 }), EARLY), 'the count interval').to.deep.equal({
      action: 'held',
    });
    w.add(reading('s', 'M1', 'state', 30), EARLY);
    const energy = w.closeDue(EARLY, false).filter((c) => c.kind === 'energy');
    expect(energy.map((c) => [c.start - T0, c.messages])).to.deep.equal([[INTERVAL, ['e4']]]);
  });

  it('keeps machines apart: one machine’s watermark closes none of another’s intervals', () => {
    const w = open();
    w.add(reading('a1', 'M1', 'count', 1, { total: 1 }), EARLY);
    w.add(reading('b1', 'M2', 'count', 1, { total: 10 }), EARLY);
    w.add(reading('a2', 'M1', 'count', 25, { total: 1 }), EARLY);
    expect(w.closeDue(EARLY, false).map((c) => [c.machineId, c.messages])).to.deep.equal([['M1', ['a1']]]);
    expect(w.watermark('M2')).to.equal(T0 + 1_000);
    expect(w.add(reading('b2', 'M2', 'count', 2, { total: 10 }), EARLY).action, 'M2’s interval is open').to.equal(
      'held',
    );
    w.add(reading('b3', 'M2', 'telemetry', 11), EARLY);
    const [m2] = w.closeDue(EARLY, false);
    expect(m2?.command.data).to.deep.include({ machineId: 'M2', total: 20 });
  });

  it('passes state changes through one by one, in order, each moving its machine’s watermark', () => {
    const w = open();
    w.add(reading('c', 'M1', 'count', 3, { total: 1 }), EARLY);
    const admissions = ['s1', 's2', 's3'].map((message, i) => [
      message,
      w.add(reading(message, 'M1', 'state', 5 + i * 3), EARLY),
    ]);
    expect(admissions).to.deep.equal([
      ['s1', { action: 'pass' }],
      ['s2', { action: 'pass' }],
      ['s3', { action: 'pass' }],
    ]);
    expect(w.watermark('M1')).to.equal(T0 + 11_000);
    expect(
      w.closeDue(EARLY, false).map((c) => c.messages),
      'the last state change closed the interval',
    ).to.deep.equal([['c']]);
    expect(w.add(reading('t', 'M1', 'telemetry', 2), EARLY), 'telemetry is only acknowledged').to.deep.equal({
      action: 'ack',
    });
    expect(w.watermark('M1'), 'an older message leaves the watermark').to.equal(T0 + 11_000);
  });
});
