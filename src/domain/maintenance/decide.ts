import { IllegalStateError, NotFoundError, ValidationError } from '../errors';
import type * as Schema from '../generated';
import { unreachable, type Command, type Decider } from '../messages';
import {
  dueKey,
  evolveMaintenance,
  isOverdue,
  maintenanceEventTypes,
  type Due,
  type MachineReading,
  type MaintenanceCycle,
  type MaintenanceEvent,
  type MaintenanceState,
} from './events';

const DAY_MS = 86_400_000;
/** How far ahead of the server's clock a `performedAt` may be (a PDA's clock running fast). */
export const PERFORMED_AT_SKEW_MS = 5 * 60_000;

/**
 * `machine`: the machine's reading when the plan is defined (null: no such machine), filled in by the
 * command handler's machine reader (src/app/machineReadings.ts) for every writer.
 */
export type DefineMaintenancePlan = Command<
  'DefineMaintenancePlan',
  Schema.DefineMaintenancePlanBody & { machine?: MachineReading | null }
>;
/** `machine`: the machine's reading at `performedAt`, read for every writer; a body's own readings win. */
export type PerformMaintenance = Command<
  'PerformMaintenance',
  { planId: string } & Schema.PerformMaintenanceBody & { machine?: MachineReading }
>;
/** Sent by the overdue clock for the due period it found passed. */
export type RaiseOverdueAlarm = Command<'RaiseOverdueAlarm', { planId: string; due: Due }>;

export type MaintenanceCommand = DefineMaintenancePlan | PerformMaintenance | RaiseOverdueAlarm;

/** A plan naming a machine that is not registered: 404, naming the field. */
export class MachineNotRegisteredError extends NotFoundError {
  constructor(machineId: string) {
    super(`machineId: machine ${machineId} is not registered`, {
      rule: 'machine-unknown',
      params: { field: 'machineId', machineId },
      problems: [{ path: '/machineId', message: `machine ${machineId} is not registered` }],
    });
  }
}

const addDays = (iso: string, days: number): string => new Date(Date.parse(iso) + days * DAY_MS).toISOString();
const iso = (dateTime: string): string => new Date(dateTime).toISOString();
const sortedDates = (dates: readonly string[]): string[] =>
  dates.map(iso).sort((a, b) => Date.parse(a) - Date.parse(b));

/** The first fixed date after `after`, or finished when none is left. */
const nextFixedDate = (dates: readonly string[], after: string): Due => {
  const next = sortedDates(dates).find((date) => Date.parse(date) > Date.parse(after));
  return next ? { dueAt: next } : { finished: true };
};

const readingRequired = (path: string, what: string): never => {
  throw new ValidationError(`this plan needs the machine’s ${what}`, [{ path, message: 'is required for this plan' }]);
};

const firstDue = (command: DefineMaintenancePlan, reading: MachineReading): Due => {
  const { cycle, startsAt, startRunningHours, startCount } = command.data;
  const now = command.meta.now;
  switch (cycle.unit) {
    case 'days':
      return { dueAt: addDays(startsAt ?? now, cycle.every) };
    case 'runningHours':
      // from the machine's hours now: a machine with more hours than one cycle is not overdue at once
      return { dueRunningHours: (startRunningHours ?? reading.runningHours) + cycle.every };
    case 'counts':
      return { dueCount: (startCount ?? reading.count) + cycle.every };
    case 'fixedDates': {
      const earliest = Date.parse(now) - PERFORMED_AT_SKEW_MS;
      const past = cycle.dates.findIndex((date) => Date.parse(date) < earliest);
      if (past >= 0) {
        throw new ValidationError(`fixed date ${cycle.dates[past]} is before the plan is defined`, [
          { path: `/cycle/dates/${past}`, message: 'is in the past' },
        ]);
      }
      return nextFixedDate(cycle.dates, new Date(earliest).toISOString());
    }
    default:
      return unreachable(cycle);
  }
};

/** Where the plan falls due after work at `performedAt` with the machine at `reading`. */
const nextDue = (cycle: MaintenanceCycle, due: Due, performedAt: string, reading: Partial<MachineReading>): Due => {
  switch (cycle.unit) {
    case 'days':
      return { dueAt: addDays(performedAt, cycle.every) };
    case 'runningHours':
      return {
        dueRunningHours: (reading.runningHours ?? readingRequired('/runningHours', 'running hours')) + cycle.every,
      };
    case 'counts':
      return { dueCount: (reading.count ?? readingRequired('/count', 'counter')) + cycle.every };
    case 'fixedDates':
      // each date is an occurrence: work closes the one due now, early or late, and the next date follows
      return 'dueAt' in due ? nextFixedDate(cycle.dates, due.dueAt) : { finished: true };
    default:
      return unreachable(cycle);
  }
};

const checkPerformedAt = (performedAt: string, now: string, previous: string | undefined): void => {
  if (Date.parse(performedAt) > Date.parse(now) + PERFORMED_AT_SKEW_MS) {
    throw new ValidationError(
      `performedAt ${performedAt} is in the future`,
      [{ path: '/performedAt', message: 'is in the future' }],
      { rule: 'performed-in-future', params: { performedAt } },
    );
  }
  if (previous !== undefined && Date.parse(performedAt) < Date.parse(previous)) {
    throw new ValidationError(
      `performedAt ${performedAt} is before the plan’s previous performance at ${previous}`,
      [{ path: '/performedAt', message: `is before the previous performance at ${previous}` }],
      { rule: 'performed-before-previous', params: { performedAt, previous } },
    );
  }
};

/** A plan's checklist: every item ticked, and nothing ticked the plan does not list (400 naming the item). */
const checkTicked = (
  planId: string,
  checklist: readonly string[] | undefined,
  ticked: readonly string[] = [],
): void => {
  const unknown = ticked.findIndex((item) => !checklist?.includes(item));
  if (unknown >= 0)
    throw new ValidationError(
      `maintenance plan ${planId} has no checklist item ${ticked[unknown]}`,
      [{ path: `/checklist/${unknown}`, message: 'is not an item of the plan’s checklist' }],
      { rule: 'checklist-unknown-item', params: { item: ticked[unknown] as string } },
    );
  const missing = (checklist ?? []).filter((item) => !ticked.includes(item));
  if (missing.length > 0)
    throw new ValidationError(
      `the work of maintenance plan ${planId} needs every checklist item ticked`,
      [{ path: '/checklist', message: `must tick ${missing.join(', ')}` }],
      { rule: 'checklist-unticked', params: { missing: missing.join(', ') } },
    );
};

const decidePerform = (command: PerformMaintenance, state: Extract<MaintenanceState, { status: 'Active' }>) => {
  const { planId } = command.data;
  const performedAt = command.data.performedAt ?? command.meta.now;
  checkPerformedAt(performedAt, command.meta.now, state.lastPerformedAt);
  checkTicked(planId, state.checklist, command.data.checklist);
  if ('finished' in state.due)
    throw new IllegalStateError(`maintenance plan ${planId} has no date left to perform`, 'plan-finished');
  const runningHours = command.data.runningHours ?? command.data.machine?.runningHours;
  const count = command.data.count ?? command.data.machine?.count;
  const reading = { runningHours, count };
  const next = nextDue(state.cycle, state.due, performedAt, reading);
  // a reading goes into the event when given, or when the plan counts it
  const withHours = command.data.runningHours !== undefined || state.cycle.unit === 'runningHours';
  const withCount = command.data.count !== undefined || state.cycle.unit === 'counts';
  const performed: MaintenanceEvent = {
    type: 'MaintenancePerformed',
    data: {
      planId,
      machineId: state.machineId,
      performedAt,
      performedBy: command.meta.actor,
      late: isOverdue(state.due, performedAt, { runningHours: runningHours ?? 0, count: count ?? 0 }),
      nextDue: next,
      ...(withHours && runningHours !== undefined ? { runningHours } : {}),
      ...(withCount && count !== undefined ? { count } : {}),
      ...(state.checklist ? { checklist: state.checklist } : {}),
    },
  };
  if (!state.alarm) return [performed];
  const cleared: MaintenanceEvent = {
    type: 'MaintenanceOverdueCleared',
    data: {
      planId,
      machineId: state.machineId,
      due: state.alarm.due,
      raisedAt: state.alarm.raisedAt,
      clearedAt: performedAt,
    },
  };
  return [performed, cleared];
};

export const decideMaintenance = (command: MaintenanceCommand, state: MaintenanceState): MaintenanceEvent[] => {
  const { planId } = command.data;
  const now = command.meta.now;
  if (command.type === 'DefineMaintenancePlan') {
    if (state.status !== 'Initial')
      throw new IllegalStateError(`maintenance plan ${planId} already exists`, 'plan-exists');
    const { machineId, kind, title, cycle, machine } = command.data;
    if (machine === null) throw new MachineNotRegisteredError(machineId);
    if (machine === undefined) throw new Error('DefineMaintenancePlan without the machine’s reading');
    if ('every' in cycle && cycle.every <= 0)
      throw new ValidationError('a cycle must be positive', [{ path: '/cycle/every', message: 'must be > 0' }]);
    const due = firstDue(command, machine);
    const start =
      'dueRunningHours' in due
        ? { startRunningHours: command.data.startRunningHours ?? machine.runningHours }
        : 'dueCount' in due
          ? { startCount: command.data.startCount ?? machine.count }
          : {};
    return [
      {
        type: 'MaintenancePlanDefined',
        data: {
          planId,
          machineId,
          kind,
          title,
          cycle,
          firstDue: due,
          ...start,
          ...(command.data.checklist ? { checklist: command.data.checklist } : {}),
          definedAt: now,
        },
      },
    ];
  }
  if (state.status === 'Initial') throw new NotFoundError(`maintenance plan ${planId} does not exist`);
  switch (command.type) {
    case 'PerformMaintenance':
      return decidePerform(command, state);
    case 'RaiseOverdueAlarm': {
      // once per due period: the clock may ask again, or for a period the work has since closed
      const asked = dueKey(command.data.due);
      if (asked !== dueKey(state.due) || (state.alarm && dueKey(state.alarm.due) === asked)) return [];
      return [
        {
          type: 'MaintenanceOverdue',
          data: { planId, machineId: state.machineId, title: state.title, due: state.due, raisedAt: now },
        },
      ];
    }
    default:
      return unreachable(command);
  }
};

export const maintenanceDecider: Decider<MaintenanceCommand, MaintenanceEvent, MaintenanceState> = {
  category: 'maintenance',
  initialState: { status: 'Initial' },
  decide: decideMaintenance,
  evolve: evolveMaintenance,
  eventTypes: maintenanceEventTypes,
};
