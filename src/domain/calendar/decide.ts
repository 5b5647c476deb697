import { ValidationError } from '../errors';
import type * as Schema from '../generated';
import type { Command, Decider, Event } from '../messages';
import type { Calendar, CalendarScope } from './calendar';

/** Stream `calendar-<scope>.<id>`: the versions of one site's, work center's or machine's calendar. */
export type CalendarVersionSet = Event<'CalendarVersionSet', Schema.CalendarVersionSetV1>;
export type CalendarEvent = CalendarVersionSet;
export type SetCalendar = Command<'SetCalendar', { scope: CalendarScope; id: string } & Schema.SetCalendarBody>;
export type CalendarCommand = SetCalendar;

export type CalendarState = { status: 'Initial' } | { status: 'Set'; version: number };

export const calendarEventTypes = ['CalendarVersionSet'] as const satisfies readonly CalendarEvent['type'][];

export const calendarStreamId = (scope: CalendarScope, id: string): string => `${scope}.${id}`;

const minutes = (time: string): number => {
  const [h, m] = time.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

/** Problems a schema cannot see: repeated shift names, breaks outside their shift, empty periods. */
export const calendarProblems = (calendar: Calendar, path = '/calendar'): Array<{ path: string; message: string }> => {
  const problems: Array<{ path: string; message: string }> = [];
  const names = new Set<string>();
  calendar.shifts.forEach((shift, i) => {
    if (names.has(shift.name)) problems.push({ path: `${path}/shifts/${i}/name`, message: 'repeats a shift name' });
    names.add(shift.name);
    const start = minutes(shift.start);
    const length = (minutes(shift.end) - start + 1440) % 1440 || 1440;
    (shift.breaks ?? []).forEach((b, j) => {
      const from = (minutes(b.start) - start + 1440) % 1440;
      const to = from + ((minutes(b.end) - minutes(b.start) + 1440) % 1440);
      if (to <= from || to > length)
        problems.push({
          path: `${path}/shifts/${i}/breaks/${j}`,
          message: 'must end after it starts, inside its shift',
        });
    });
  });
  (calendar.plannedStops ?? []).forEach((s, i) => {
    if (s.start === s.end) problems.push({ path: `${path}/plannedStops/${i}/end`, message: 'must differ from start' });
  });
  return problems;
};

export const calendarDecider: Decider<CalendarCommand, CalendarEvent, CalendarState> = {
  category: 'calendar',
  initialState: { status: 'Initial' },
  eventTypes: calendarEventTypes,
  decide: (command, state) => {
    const { scope, id, effectiveFrom, calendar } = command.data;
    const problems = calendarProblems(calendar);
    if (problems.length > 0) throw new ValidationError(`the calendar of ${scope} ${id} is not consistent`, problems);
    const version = state.status === 'Set' ? state.version + 1 : 1;
    return [
      { type: 'CalendarVersionSet', data: { scope, id, version, effectiveFrom, calendar, setAt: command.meta.now } },
    ];
  },
  evolve: (_state, event) => ({ status: 'Set', version: event.data.version }),
};
