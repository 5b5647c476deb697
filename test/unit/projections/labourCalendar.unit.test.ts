import { expect } from 'chai';
import type { Calendar } from '../../../src/domain/calendar';
import { shiftWindowAt } from '../../../src/projections/models/labourShare';

describe('Labour shifts from the plant calendar', () => {
  const tz = 'Asia/Shanghai';
  // one day shift, Monday to Friday; 2026-10-01 (a Thursday) a holiday; Saturday 2026-10-10 a make-up working day
  const calendar: Calendar = {
    shifts: [{ name: 'A', start: '08:00', end: '17:00' }],
    workingWeekdays: [1, 2, 3, 4, 5],
    holidays: [{ date: '2026-10-01', name: '国庆节' }],
    workingDays: [{ date: '2026-10-10', name: '调休' }],
  };
  const at = (iso: string) => Date.parse(iso);

  it('finds the shift a clock-in belongs to, an early start within the hour, and none on a holiday or day off', () => {
    expect(shiftWindowAt(at('2026-09-30T10:00:00+08:00'), calendar, tz)).to.deep.include({
      name: 'A',
      date: '2026-09-30',
    });
    expect(shiftWindowAt(at('2026-09-30T07:20:00+08:00'), calendar, tz)).to.deep.include({
      name: 'A',
      date: '2026-09-30',
    });
    // the national holiday and a Sunday: no shift, so every hour worked is overtime
    expect(shiftWindowAt(at('2026-10-01T10:00:00+08:00'), calendar, tz)).to.equal(undefined);
    expect(shiftWindowAt(at('2026-10-04T10:00:00+08:00'), calendar, tz)).to.equal(undefined);
    // the Saturday worked in exchange (调休) has its shift
    expect(shiftWindowAt(at('2026-10-10T10:00:00+08:00'), calendar, tz)).to.deep.include({
      name: 'A',
      date: '2026-10-10',
    });
  });
});
