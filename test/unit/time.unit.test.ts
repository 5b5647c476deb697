import { expect } from 'chai';
import { localDate, shiftLengthSeconds, shiftOverlaps, zonedInstant, type Shift } from '../../src/lib/time';

const HOUR = 3_600;
const iso = (ms: number): string => new Date(ms).toISOString();
const shift = (start: string, end: string, name = `${start}-${end}`): Shift => ({ name, start, end });
const DAY = shift('00:00', '24:00', 'day');
const THREE_SHIFTS = [shift('00:00', '08:00', 'A'), shift('08:00', '16:00', 'B'), shift('16:00', '24:00', 'C')];

describe('time-zone arithmetic', () => {
  describe('America/New_York, clocks forward on 2026-03-08 (02:00 EST becomes 03:00 EDT)', () => {
    const NY = 'America/New_York';

    it('has a 23-hour local day, and a shift across 02:00-03:00 lasts an hour less', () => {
      expect(shiftLengthSeconds('2026-03-08', DAY, NY)).to.equal(23 * HOUR);
      expect(shiftLengthSeconds('2026-03-08', shift('00:00', '08:00'), NY)).to.equal(7 * HOUR);
      expect(shiftLengthSeconds('2026-03-07', shift('22:00', '06:00'), NY), 'night shift into the change').to.equal(
        7 * HOUR,
      );
      expect(shiftLengthSeconds('2026-03-09', DAY, NY), 'the day after').to.equal(24 * HOUR);
    });

    it('reads a clock time inside the gap as the same time after the jump', () => {
      expect(iso(zonedInstant('2026-03-08', '02:00', NY))).to.equal('2026-03-08T07:00:00.000Z');
      expect(iso(zonedInstant('2026-03-08', '02:30', NY))).to.equal('2026-03-08T07:30:00.000Z');
      expect(iso(zonedInstant('2026-03-08', '03:00', NY))).to.equal('2026-03-08T07:00:00.000Z');
    });

    it('gives a shift that starts or ends in the gap the hours the clock actually ran', () => {
      expect(shiftLengthSeconds('2026-03-08', shift('01:00', '02:00'), NY)).to.equal(HOUR);
      expect(shiftLengthSeconds('2026-03-08', shift('02:00', '10:00'), NY)).to.equal(7 * HOUR);
    });

    it('splits the day into three shifts summing to 23 hours', () => {
      const overlaps = shiftOverlaps(
        zonedInstant('2026-03-08', '00:00', NY),
        zonedInstant('2026-03-09', '00:00', NY),
        THREE_SHIFTS,
        NY,
      );
      expect(overlaps.map((o) => [o.date, o.shift.name, o.seconds / HOUR])).to.deep.equal([
        ['2026-03-08', 'A', 7],
        ['2026-03-08', 'B', 8],
        ['2026-03-08', 'C', 8],
      ]);
    });
  });

  describe('America/New_York, clocks back on 2026-11-01 (01:00-02:00 happens twice)', () => {
    const NY = 'America/New_York';

    it('has a 25-hour local day, and a shift across the repeated hour lasts an hour more', () => {
      expect(shiftLengthSeconds('2026-11-01', DAY, NY)).to.equal(25 * HOUR);
      expect(shiftLengthSeconds('2026-11-01', shift('00:00', '08:00'), NY)).to.equal(9 * HOUR);
      expect(shiftLengthSeconds('2026-10-31', shift('22:00', '06:00'), NY)).to.equal(9 * HOUR);
      expect(shiftLengthSeconds('2026-11-01', shift('01:00', '02:00'), NY), 'both 01:00 hours').to.equal(2 * HOUR);
    });

    it('reads a repeated clock time as its first occurrence, and both belong to the same local date', () => {
      expect(iso(zonedInstant('2026-11-01', '01:30', NY))).to.equal('2026-11-01T05:30:00.000Z');
      expect(localDate('2026-11-01T05:30:00Z', NY)).to.equal('2026-11-01');
      expect(localDate('2026-11-01T06:30:00Z', NY)).to.equal('2026-11-01');
      expect(localDate('2026-11-02T04:59:59Z', NY)).to.equal('2026-11-01');
      expect(localDate('2026-11-02T05:00:00Z', NY)).to.equal('2026-11-02');
    });
  });

  describe('zones off the whole hour', () => {
    const midnights: Array<[string, string]> = [
      ['Asia/Kolkata', '2026-05-31T18:30:00.000Z'],
      ['Asia/Kathmandu', '2026-05-31T18:15:00.000Z'],
      ['Australia/Eucla', '2026-05-31T15:15:00.000Z'],
    ];
    for (const [zone, midnight] of midnights) {
      it(`${zone}: the local day starts at ${midnight.slice(11, 16)} UTC the day before`, () => {
        expect(iso(zonedInstant('2026-06-01', '00:00', zone))).to.equal(midnight);
        const at = Date.parse(midnight);
        expect(localDate(at - 1, zone)).to.equal('2026-05-31');
        expect(localDate(at, zone)).to.equal('2026-06-01');
        expect(shiftLengthSeconds('2026-06-01', shift('22:00', '06:00'), zone)).to.equal(8 * HOUR);
      });
    }

    it('Australia/Eucla (+08:45): an hour of UTC splits 15/45 minutes between the evening and the night shift', () => {
      const overlaps = shiftOverlaps(
        Date.parse('2026-05-31T15:00:00Z'),
        Date.parse('2026-05-31T16:00:00Z'),
        THREE_SHIFTS,
        'Australia/Eucla',
      );
      expect(overlaps.map((o) => [o.date, o.shift.name, o.seconds / 60])).to.deep.equal([
        ['2026-05-31', 'C', 15],
        ['2026-06-01', 'A', 45],
      ]);
    });
  });

  describe('Asia/Shanghai (the plants’ zone, +08:00, no DST)', () => {
    const SH = 'Asia/Shanghai';

    it('puts the 16:00-24:00 shift before midnight and the 00:00-08:00 shift on the next date', () => {
      expect(iso(zonedInstant('2026-11-24', '16:00', SH))).to.equal('2026-11-24T08:00:00.000Z');
      expect(iso(zonedInstant('2026-11-24', '24:00', SH))).to.equal('2026-11-24T16:00:00.000Z');
      expect(iso(zonedInstant('2026-11-25', '00:00', SH))).to.equal('2026-11-24T16:00:00.000Z');
      expect(localDate('2026-11-24T15:59:59Z', SH)).to.equal('2026-11-24');
      expect(localDate('2026-11-24T16:00:00Z', SH)).to.equal('2026-11-25');
      expect(shiftLengthSeconds('2026-11-24', shift('16:00', '24:00'), SH)).to.equal(8 * HOUR);
      expect(shiftLengthSeconds('2026-11-24', shift('22:00', '06:00'), SH)).to.equal(8 * HOUR);
    });

    it('splits a span across midnight between the evening shift of one date and the night shift of the next', () => {
      const overlaps = shiftOverlaps(
        Date.parse('2026-11-24T15:00:00Z'),
        Date.parse('2026-11-25T01:00:00Z'),
        THREE_SHIFTS,
        SH,
      );
      expect(overlaps.map((o) => [o.date, o.shift.name, o.seconds / HOUR, o.lengthSeconds / HOUR])).to.deep.equal([
        ['2026-11-24', 'C', 1, 8],
        ['2026-11-25', 'A', 8, 8],
        ['2026-11-25', 'B', 1, 8],
      ]);
    });
  });
});
