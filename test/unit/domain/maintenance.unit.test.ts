import { expect } from 'chai';
import { IllegalStateError, ValidationError } from '../../../src/domain/errors';
import type { MachineEvent } from '../../../src/domain/machine';
import {
  correctiveDecider,
  MachineNotRegisteredError,
  maintenanceDecider,
  type CorrectiveEvent,
  type DefineMaintenancePlan,
  type MaintenanceEvent,
} from '../../../src/domain/maintenance';
import {
  correctiveRequests,
  emptyOverdueView,
  evolveOverdueView,
  overdueAlarms,
  type OverdueView,
} from '../../../src/domain/processes';
import { meta, NOW, specFor } from '../../support/given';

const plan = specFor(maintenanceDecider);
const corrective = specFor(correctiveDecider);
const m = meta(); // now 2026-11-25T08:00:00.000Z, actor op-7
const reading = (runningHours: number, count = 0) => ({ runningHours, count });

const define = (data: Partial<DefineMaintenancePlan['data']>): DefineMaintenancePlan => ({
  type: 'DefineMaintenancePlan',
  data: {
    planId: 'P1',
    machineId: 'M1',
    kind: 'maintenance',
    title: 'Spindle service',
    cycle: { unit: 'days', every: 7 },
    machine: reading(0),
    ...data,
  },
  meta: m,
});

const registered: MachineEvent = {
  type: 'MachineRegistered',
  data: {
    machineId: 'M1',
    code: 'PRESS-1',
    name: 'Press 1',
    type: 'press',
    workCenter: 'WC-PRESS',
    ratedPowerKw: 30,
    idealCycleSeconds: [],
    registeredAt: '2025-01-01T00:00:00.000Z',
  },
};
const counted = (total: number, from: string, to: string): MachineEvent => ({
  type: 'ProductionCounted',
  data: { machineId: 'M1', intervalStart: from, intervalEnd: to, total },
});
const viewOf = (events: Array<MaintenanceEvent | MachineEvent>): OverdueView =>
  events.reduce(evolveOverdueView, emptyOverdueView);
const alarmed = (view: OverdueView, now: string): string[] =>
  overdueAlarms(view, now).map((d) => `${d.id}:${JSON.stringify(d.command.data)}`);

describe('maintenance plan kinds', () => {
  it('a calendar plan is due one cycle after it starts', () =>
    plan
      .given([])
      .when(define({ cycle: { unit: 'days', every: 7 }, startsAt: '2026-11-25T00:00:00.000Z' }))
      .then([
        {
          type: 'MaintenancePlanDefined',
          data: {
            planId: 'P1',
            machineId: 'M1',
            kind: 'maintenance',
            title: 'Spindle service',
            cycle: { unit: 'days', every: 7 },
            // 2026-11-25 + 7 days
            firstDue: { dueAt: '2026-12-02T00:00:00.000Z' },
            definedAt: NOW,
          },
        },
      ]));

  it('refuses a second definition, a cycle that is not positive, and a machine that is not registered (404 naming machineId)', () => {
    const defined = plan.given([]).when(define({})).events();
    plan.given(defined).when(define({})).thenThrows(IllegalStateError, 'plan-exists');
    plan
      .given([])
      .when(define({ cycle: { unit: 'days', every: 0 } }))
      .thenThrows(ValidationError);
    plan
      .given([])
      .when(define({ machineId: 'M9', machine: null }))
      .thenThrows(MachineNotRegisteredError, 'machine-unknown');
    const refusal = new MachineNotRegisteredError('M9');
    expect(refusal.status).to.equal(404);
    expect(refusal.params).to.deep.equal({ field: 'machineId', machineId: 'M9' });
  });

  it('a running-hour plan defined on a machine with 12,345 h starts from them: due at 12,845 h, not overdue at once', () => {
    // registered 2025-01-01T00:00Z and running ever since: 12,345 h on 2026-05-30T09:00Z
    const running: MachineEvent = {
      type: 'MachineStateChanged',
      data: {
        machineId: 'M1',
        state: 'running',
        previous: 'idle',
        changedAt: '2025-01-01T00:00:00.000Z',
        previousSeconds: 0,
      },
    };
    const [defined] = plan
      .given([])
      .when({
        ...define({ cycle: { unit: 'runningHours', every: 500 }, machine: reading(12_345) }),
        meta: meta({ now: '2026-05-30T09:00:00.000Z' }),
      })
      .events();
    expect(defined?.data).to.deep.include({ firstDue: { dueRunningHours: 12_845 }, startRunningHours: 12_345 });
    const view = viewOf([registered, running, defined as MaintenanceEvent]);
    expect(alarmed(view, '2026-05-30T09:00:00.000Z')).to.deep.equal([]);
    // 500 h later (2026-06-20T05:00Z) it is due, one second more and it is overdue
    expect(alarmed(view, '2026-06-20T05:00:00.000Z')).to.deep.equal([]);
    expect(alarmed(view, '2026-06-20T05:00:01.000Z')).to.deep.equal([
      'P1:{"planId":"P1","due":{"dueRunningHours":12845}}',
    ]);
  });

  it('a counter plan every 10,000 strokes comes due from the machine’s production counts', () => {
    // 40,000 strokes counted before the plan: first due at 50,000
    const before = counted(40_000, '2026-11-01T00:00:00.000Z', '2026-11-25T00:00:00.000Z');
    const [defined] = plan
      .given([])
      .when(define({ cycle: { unit: 'counts', every: 10_000, counter: 'strokes' }, machine: reading(300, 40_000) }))
      .events();
    expect(defined?.data).to.deep.include({ firstDue: { dueCount: 50_000 }, startCount: 40_000 });
    const view = viewOf([registered, before, defined as MaintenanceEvent]);
    expect(alarmed(view, NOW)).to.deep.equal([]);
    // +6,000 = 46,000; +4,000 = 50,000 (due, not past); +1 = 50,001: overdue
    const at46k = evolveOverdueView(view, counted(6_000, '2026-11-25T00:00:00.000Z', '2026-11-26T00:00:00.000Z'));
    expect(alarmed(at46k, '2026-11-26T00:00:00.000Z')).to.deep.equal([]);
    const at50k = evolveOverdueView(at46k, counted(4_000, '2026-11-26T00:00:00.000Z', '2026-11-27T00:00:00.000Z'));
    expect(alarmed(at50k, '2026-11-27T00:00:00.000Z')).to.deep.equal([]);
    const past = evolveOverdueView(at50k, counted(1, '2026-11-27T00:00:00.000Z', '2026-11-27T00:01:00.000Z'));
    expect(alarmed(past, '2026-11-27T00:01:00.000Z')).to.deep.equal(['P1:{"planId":"P1","due":{"dueCount":50000}}']);
    // done at 50,001 strokes: late, and next due 10,000 strokes on
    const [performed] = plan
      .given([defined as MaintenanceEvent])
      .when({
        type: 'PerformMaintenance',
        data: { planId: 'P1', performedAt: '2026-11-25T07:00:00.000Z', machine: reading(320, 50_001) },
        meta: m,
      })
      .events();
    expect(performed?.data).to.deep.include({ late: true, count: 50_001, nextDue: { dueCount: 60_001 } });
  });

  it('a fixed-date plan (statutory inspection) is due on each date in turn, then finished', () => {
    const dates = ['2027-03-01T00:00:00+08:00', '2026-12-15T00:00:00.000Z'];
    const [defined] = plan
      .given([])
      .when(define({ kind: 'inspection', cycle: { unit: 'fixedDates', dates } }))
      .events();
    expect(defined?.data).to.deep.include({ firstDue: { dueAt: '2026-12-15T00:00:00.000Z' } });
    const view = viewOf([registered, defined as MaintenanceEvent]);
    expect(alarmed(view, '2026-12-15T00:00:00.000Z')).to.deep.equal([]);
    expect(alarmed(view, '2026-12-15T00:00:01.000Z')).to.deep.equal([
      'P1:{"planId":"P1","due":{"dueAt":"2026-12-15T00:00:00.000Z"}}',
    ]);
    // done early on 2026-12-10: the next date is 2027-03-01 local (2027-02-28T16:00Z), not 10-12 + a cycle
    const early = plan
      .given([defined as MaintenanceEvent])
      .when({
        type: 'PerformMaintenance',
        data: { planId: 'P1', performedAt: '2026-12-10T00:00:00.000Z' },
        meta: meta({ now: '2026-12-10T01:00:00.000Z' }),
      })
      .events();
    expect(early[0]?.data).to.deep.include({ late: false, nextDue: { dueAt: '2027-02-28T16:00:00.000Z' } });
    const late = plan
      .given([defined as MaintenanceEvent, ...early])
      .when({
        type: 'PerformMaintenance',
        data: { planId: 'P1', performedAt: '2027-03-02T00:00:00.000Z' },
        meta: meta({ now: '2027-03-02T00:00:00.000Z' }),
      })
      .events();
    expect(late[0]?.data).to.deep.include({ late: true, nextDue: { finished: true } });
    plan
      .given([defined as MaintenanceEvent, ...early, ...late])
      .when({ type: 'PerformMaintenance', data: { planId: 'P1' }, meta: meta({ now: '2027-03-03T00:00:00.000Z' }) })
      .thenThrows(IllegalStateError, 'plan-finished');
    // a date already past when the plan is defined is refused, naming it
    let refusal: unknown;
    try {
      maintenanceDecider.decide(
        define({ cycle: { unit: 'fixedDates', dates: ['2026-12-15T00:00:00Z', '2026-11-01T00:00:00Z'] } }),
        { status: 'Initial' },
      );
    } catch (error) {
      refusal = error;
    }
    expect(refusal).to.be.instanceOf(ValidationError);
    expect((refusal as ValidationError).problems[0]?.path).to.equal('/cycle/dates/1');
  });
});

describe('maintenance performed', () => {
  const defined = plan
    .given([])
    .when(define({ cycle: { unit: 'days', every: 7 }, startsAt: '2026-11-25T00:00:00.000Z' }))
    .events();
  const perform = (performedAt: string | undefined, now = NOW) => ({
    type: 'PerformMaintenance' as const,
    data: { planId: 'P1', ...(performedAt ? { performedAt } : {}) },
    meta: meta({ now }),
  });

  it('refuses a performedAt more than 5 minutes ahead of the clock, naming the field', () => {
    // now 08:00:00; 08:05:00 is within the skew, 08:05:01 is not
    expect(plan.given(defined).when(perform('2026-11-25T08:05:00.000Z')).events()[0]?.data).to.deep.include({
      nextDue: { dueAt: '2026-12-02T08:05:00.000Z' },
    });
    plan.given(defined).when(perform('2026-11-25T08:05:01.000Z')).thenThrows(ValidationError, 'performed-in-future');
    let refusal: unknown;
    try {
      maintenanceDecider.decide(perform('2026-12-25T00:00:00.000Z'), {
        status: 'Active',
        planId: 'P1',
        machineId: 'M1',
        title: 't',
        cycle: { unit: 'days', every: 7 },
        due: { dueAt: '2026-12-02T00:00:00.000Z' },
      });
    } catch (error) {
      refusal = error;
    }
    expect((refusal as ValidationError).problems).to.deep.equal([
      { path: '/performedAt', message: 'is in the future' },
    ]);
  });

  it('refuses a performedAt before the previous performance', () => {
    const first = plan.given(defined).when(perform('2026-11-25T06:00:00.000Z')).events();
    plan
      .given([...defined, ...first])
      .when(perform('2026-11-25T05:59:59.000Z'))
      .thenThrows(ValidationError, 'performed-before-previous');
    // the same instant again is not before it
    expect(
      plan
        .given([...defined, ...first])
        .when(perform('2026-11-25T06:00:00.000Z'))
        .events(),
    ).to.have.length(1);
  });

  it('a plan with a checklist records the work only with every item ticked, and refuses an item it does not list', () => {
    const checklist = ['Lubricate the slides', 'Clean the chips', 'Check the coolant level'];
    const withList = plan.given([]).when(define({ checklist })).events();
    expect(withList[0]?.data).to.deep.include({ checklist });
    const ticked = (items: string[]) => ({
      type: 'PerformMaintenance' as const,
      data: { planId: 'P1', checklist: items },
      meta: m,
    });
    let refusal: unknown;
    try {
      plan
        .given(withList)
        .when(ticked(checklist.slice(0, 2)))
        .events();
    } catch (error) {
      refusal = error;
    }
    expect((refusal as ValidationError).problems).to.deep.equal([
      { path: '/checklist', message: 'must tick Check the coolant level' },
    ]);
    plan.given(withList).when(perform(undefined)).thenThrows(ValidationError, 'checklist-unticked');
    plan
      .given(withList)
      .when(ticked([...checklist, 'Paint the guard']))
      .thenThrows(ValidationError, 'checklist-unknown-item');
    const done = plan
      .given(withList)
      .when(ticked([...checklist].reverse()))
      .events();
    expect(done[0]?.data).to.deep.include({ checklist });
    // a plan without a checklist takes none
    plan
      .given(defined)
      .when(ticked(['Clean the chips']))
      .thenThrows(ValidationError, 'checklist-unknown-item');
    expect(plan.given(defined).when(perform(undefined)).events()[0]?.data).not.to.have.property('checklist');
  });

  it('clears an overdue alarm, and a body’s readings win over the machine’s', () => {
    const overdue: MaintenanceEvent = {
      type: 'MaintenanceOverdue',
      data: {
        planId: 'P1',
        machineId: 'M1',
        title: 'Spindle service',
        due: { dueAt: '2026-12-02T00:00:00.000Z' },
        raisedAt: '2026-12-02T01:00:00.000Z',
      },
    };
    plan
      .given([...defined, overdue])
      .when(perform('2026-12-03T00:00:00.000Z', '2026-12-03T00:00:00.000Z'))
      .then([
        {
          type: 'MaintenancePerformed',
          data: {
            planId: 'P1',
            machineId: 'M1',
            performedAt: '2026-12-03T00:00:00.000Z',
            performedBy: 'op-7',
            late: true,
            nextDue: { dueAt: '2026-12-10T00:00:00.000Z' },
          },
        },
        {
          type: 'MaintenanceOverdueCleared',
          data: {
            planId: 'P1',
            machineId: 'M1',
            due: { dueAt: '2026-12-02T00:00:00.000Z' },
            raisedAt: '2026-12-02T01:00:00.000Z',
            clearedAt: '2026-12-03T00:00:00.000Z',
          },
        },
      ]);
    const hours = plan
      .given([])
      .when(define({ cycle: { unit: 'runningHours', every: 500 }, machine: reading(100) }))
      .events();
    const [performed] = plan
      .given(hours)
      .when({ type: 'PerformMaintenance', data: { planId: 'P1', runningHours: 480, machine: reading(650) }, meta: m })
      .events();
    expect(performed?.data).to.deep.include({ late: false, runningHours: 480, nextDue: { dueRunningHours: 980 } });
    plan
      .given(hours)
      .when({ type: 'PerformMaintenance', data: { planId: 'P1' }, meta: m })
      .thenThrows(ValidationError);
  });
});

describe('corrective requests', () => {
  const change = (state: 'running' | 'idle' | 'down' | 'maintenance' | 'setup', previous: string, at: string) => ({
    type: 'MachineStateChanged' as const,
    data: {
      machineId: 'M1',
      state,
      previous: previous as 'running',
      changedAt: at,
      previousSeconds: 0,
      ...(state === 'down' ? { reasonCode: 'SPINDLE' } : {}),
    },
    occurredAt: at,
  });
  const opened: CorrectiveEvent = {
    type: 'CorrectiveRequestOpened',
    data: { requestId: 'CR1-M1', machineId: 'M1', openedAt: '2026-11-25T10:00:00.000Z', reasonCode: 'SPINDLE' },
  };

  it('a breakdown opens a request that the machine running again closes, with the repair time', () => {
    const down = correctiveRequests(change('down', 'running', '2026-11-25T10:00:00.000Z'));
    expect(down.map((d) => [d.aggregate, d.id, d.command.type])).to.deep.equal([
      ['corrective', 'M1', 'OpenCorrectiveRequest'],
    ]);
    corrective
      .given([])
      .when(down[0]?.command as never)
      .then([opened]);
    // down 10:00 -> maintenance 10:20 (nothing to do) -> running 11:05: 65 min = 3900 s of repair
    expect(correctiveRequests(change('maintenance', 'down', '2026-11-25T10:20:00.000Z'))).to.deep.equal([]);
    const up = correctiveRequests(change('running', 'maintenance', '2026-11-25T11:05:00.000Z'));
    corrective
      .given([opened])
      .when(up[0]?.command as never)
      .then([
        {
          type: 'CorrectiveRequestClosed',
          data: {
            requestId: 'CR1-M1',
            machineId: 'M1',
            openedAt: '2026-11-25T10:00:00.000Z',
            closedAt: '2026-11-25T11:05:00.000Z',
            repairSeconds: 3900,
            restoredTo: 'running',
          },
        },
      ]);
  });

  it('opens one request per breakdown, numbers them in turn, and closes nothing when none is open', () => {
    const open = (at: string) => ({
      type: 'OpenCorrectiveRequest' as const,
      data: { machineId: 'M1', openedAt: at },
      meta: m,
    });
    const close = {
      type: 'CloseCorrectiveRequest' as const,
      data: { machineId: 'M1', closedAt: NOW, restoredTo: 'idle' as const },
      meta: m,
    };
    corrective.given([opened]).when(open('2026-11-25T10:30:00.000Z')).then([]);
    corrective.given([]).when(close).then([]);
    const closed = corrective.given([opened]).when(close).events();
    expect(
      corrective
        .given([opened, ...closed])
        .when(open('2026-11-25T12:00:00.000Z'))
        .events()[0]?.data,
    ).to.deep.equal({
      requestId: 'CR2-M1',
      machineId: 'M1',
      openedAt: '2026-11-25T12:00:00.000Z',
    });
  });

  it('a health warning’s request stays open while the machine runs on; a breakdown supersedes it (no repair) and opens its own', () => {
    const warning: CorrectiveEvent = {
      type: 'CorrectiveRequestOpened',
      data: {
        requestId: 'CR1-M1',
        machineId: 'M1',
        openedAt: '2026-11-25T06:00:00.000Z',
        reasonCode: 'health:vibration',
      },
    };
    const running = correctiveRequests(change('running', 'idle', '2026-11-25T07:00:00.000Z'));
    corrective
      .given([warning])
      .when(running[0]?.command as never)
      .then([]);
    const down = correctiveRequests(change('down', 'running', '2026-11-25T10:00:00.000Z'));
    corrective
      .given([warning])
      .when(down[0]?.command as never)
      .then([
        {
          type: 'CorrectiveRequestClosed',
          data: {
            requestId: 'CR1-M1',
            machineId: 'M1',
            openedAt: '2026-11-25T06:00:00.000Z',
            closedAt: '2026-11-25T10:00:00.000Z',
            repairSeconds: 14400,
            restoredTo: 'down',
          },
        },
        { ...opened, data: { ...opened.data, requestId: 'CR2-M1' } },
      ]);
    // a second warning while one is open: nothing
    corrective
      .given([warning])
      .when({
        type: 'OpenCorrectiveRequest',
        data: { machineId: 'M1', openedAt: NOW, reasonCode: 'health:temperature' },
        meta: m,
      })
      .then([]);
  });
});
