import { expect } from 'chai';
import {
  calendarFor,
  calendarIntervals,
  calendarProblems,
  isoWeek,
  workingIntervals,
  type Calendar,
  type CalendarVersion,
} from '../../src/domain/calendar';

const TZ = 'Asia/Shanghai'; // UTC+8, no daylight saving: 08:00 local is 00:00Z
const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();
const HOUR = 3_600_000;

// two shifts on weekdays: day 08:00-16:00 with lunch 12:00-12:30; night 22:00-06:00 with a break 02:00-02:30
const PLANT: Calendar = {
  shifts: [
    { name: 'D', start: '08:00', end: '16:00', breaks: [{ start: '12:00', end: '12:30' }] },
    { name: 'N', start: '22:00', end: '06:00', breaks: [{ start: '02:00', end: '02:30' }] },
  ],
  workingWeekdays: [1, 2, 3, 4, 5],
  holidays: [{ date: '2026-11-26', name: 'plant holiday' }],
  workingDays: [{ date: '2026-11-28', name: 'make-up Saturday' }],
  plannedStops: [
    { name: 'morning meeting', kind: 'meeting', start: '08:00', end: '08:15' },
    { name: 'trial', kind: 'trial', start: '14:00', end: '15:00', date: '2026-11-25' },
  ],
};
const input = (versions: CalendarVersion[] = []) => ({
  versions,
  plant: PLANT,
  owner: { machineId: 'M1', workCenter: 'WC-1', site: 'S1' },
  timeZone: TZ,
});
const sum = (items: Array<{ from: number; to: number }>) => items.reduce((s, i) => s + i.to - i.from, 0);

describe('plant calendar arithmetic', () => {
  it('working time of a weekday: shifts minus breaks and planned stops (Wednesday 2026-11-25)', () => {
    // the local day 2026-11-25 is 2026-11-24T16:00Z to 2026-11-25T16:00Z
    const from = ms('2026-11-24T16:00:00Z');
    const to = ms('2026-11-25T16:00:00Z');
    const working = workingIntervals(input(), from, to);
    // 00:00-06:00 local: the night shift of the 24th (02:00-02:30 break) = 5.5 h
    // 08:00-16:00: 8 h - 0.5 lunch - 0.25 meeting - 1 trial = 6.25 h; 22:00-24:00 night shift of the 25th = 2 h
    expect(sum(working) / HOUR).to.equal(5.5 + 6.25 + 2);
    expect(working.map((w) => [iso(w.from), iso(w.to), w.shift, w.date])).to.deep.equal([
      ['2026-11-24T16:00:00.000Z', '2026-11-24T18:00:00.000Z', 'N', '2026-11-24'],
      ['2026-11-24T18:30:00.000Z', '2026-11-24T22:00:00.000Z', 'N', '2026-11-24'],
      ['2026-11-25T00:15:00.000Z', '2026-11-25T04:00:00.000Z', 'D', '2026-11-25'],
      ['2026-11-25T04:30:00.000Z', '2026-11-25T06:00:00.000Z', 'D', '2026-11-25'],
      ['2026-11-25T07:00:00.000Z', '2026-11-25T08:00:00.000Z', 'D', '2026-11-25'],
      ['2026-11-25T14:00:00.000Z', '2026-11-25T16:00:00.000Z', 'N', '2026-11-25'],
    ]);
    const { segments, shifts } = calendarIntervals(input(), from, to);
    expect(
      segments.filter((s) => s.kind === 'plannedStop').map((s) => [s.name, (s.to - s.from) / 60_000]),
    ).to.deep.equal([
      ['morning meeting', 15],
      ['trial', 60],
    ]);
    expect(segments.filter((s) => s.kind === 'break').map((s) => (s.to - s.from) / 60_000)).to.deep.equal([30, 30]);
    expect(shifts.map((s) => `${s.date} ${s.shift}`)).to.deep.equal(['2026-11-24 N', '2026-11-25 D', '2026-11-25 N']);
  });

  it('no shift starts on a holiday or a weekend day; a make-up working day works', () => {
    // Thursday 26th is a holiday: only the night shift of the 25th reaches into it (00:00-06:00 less its break)
    const holiday = workingIntervals(input(), ms('2026-11-25T16:00:00Z'), ms('2026-11-26T16:00:00Z'));
    expect(sum(holiday) / HOUR).to.equal(5.5);
    // Sunday 29th: nothing starts; the make-up Saturday's night shift reaches into it
    const sunday = workingIntervals(input(), ms('2026-11-28T16:00:00Z'), ms('2026-11-29T16:00:00Z'));
    expect(sum(sunday) / HOUR).to.equal(5.5);
    // Saturday 28th works: 8 - 0.5 - 0.25 meeting = 7.25 h day shift, 2 h of its night shift
    const saturday = workingIntervals(input(), ms('2026-11-27T16:00:00Z'), ms('2026-11-28T16:00:00Z'));
    expect(sum(saturday) / HOUR).to.equal(5.5 + 7.25 + 2);
  });

  it("a machine follows its own calendar, else its work center's, else its site's, from each version's day", () => {
    const short: Calendar = { shifts: [{ name: 'S', start: '08:00', end: '12:00' }] };
    const long: Calendar = { shifts: [{ name: 'L', start: '08:00', end: '20:00' }] };
    const versions: CalendarVersion[] = [
      { scope: 'site', id: 'S1', effectiveFrom: '2026-01-01', version: 0, calendar: long },
      { scope: 'workCenter', id: 'WC-1', effectiveFrom: '2026-11-26', version: 1, calendar: short },
      { scope: 'workCenter', id: 'WC-1', effectiveFrom: '2026-11-26', version: 2, calendar: long },
      { scope: 'machine', id: 'M1', effectiveFrom: '2026-11-27', version: 1, calendar: short },
    ];
    const owner = { machineId: 'M1', workCenter: 'WC-1', site: 'S1' };
    expect(calendarFor(versions, PLANT, owner, '2026-11-25')).to.equal(long); // the site's
    expect(calendarFor(versions, PLANT, owner, '2026-11-26')).to.equal(long); // the work center's later version
    expect(calendarFor(versions, PLANT, owner, '2026-11-27')).to.equal(short); // the machine's own
    expect(calendarFor(versions, PLANT, { machineId: 'M9', workCenter: 'WC-9', site: 'S9' }, '2026-11-27')).to.equal(
      PLANT,
    );
    // 25th: 12 h (site); 26th: 12 h (work center, version 2); 27th: 4 h (machine)
    const hours = workingIntervals(
      { ...input(versions), owner },
      ms('2026-11-24T16:00:00Z'),
      ms('2026-11-27T16:00:00Z'),
    );
    expect(sum(hours) / HOUR).to.equal(12 + 12 + 4);
  });

  it('refuses a calendar whose break lies outside its shift, or whose shifts share a name', () => {
    expect(
      calendarProblems({
        shifts: [
          { name: 'A', start: '08:00', end: '16:00', breaks: [{ start: '17:00', end: '17:30' }] },
          { name: 'A', start: '22:00', end: '06:00', breaks: [{ start: '01:00', end: '01:30' }] },
        ],
      }).map((p) => p.path),
    ).to.deep.equal(['/calendar/shifts/0/breaks/0', '/calendar/shifts/1/name']);
  });

  it('names ISO weeks', () => {
    expect(isoWeek('2026-11-25')).to.equal('2026-W48');
    expect(isoWeek('2027-01-01')).to.equal('2026-W53');
    expect(isoWeek('2026-01-01')).to.equal('2026-W01');
  });
});
