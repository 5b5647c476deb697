import { expect } from 'chai';
import { IllegalStateError, NotFoundError, ValidationError } from '../../../src/domain/errors';
import { machineDecider, runningHoursAt, type MachineEvent } from '../../../src/domain/machine';
import { maintenanceDecider, type MaintenanceEvent } from '../../../src/domain/maintenance';
import { fold } from '../../../src/domain/messages';
import { meta, NOW, specFor } from '../../support/given';

const machine = specFor(machineDecider);
const plan = specFor(maintenanceDecider);
const m = meta();
const registered: MachineEvent = {
  type: 'MachineRegistered',
  data: {
    machineId: 'M1',
    code: 'CNC-01',
    name: 'Lathe 1',
    type: 'CNC lathe',
    workCenter: 'WC-TURN',
    ratedPowerKw: 15,
    idealCycleSeconds: [{ product: 'SHAFT', seconds: 30 }],
    registeredAt: '2026-11-25T00:00:00.000Z',
  },
};
const running: MachineEvent = {
  type: 'MachineStateChanged',
  data: {
    machineId: 'M1',
    state: 'running',
    previous: 'idle',
    changedAt: '2026-11-25T01:00:00.000Z',
    previousSeconds: 3600,
  },
};

describe('machine', () => {
  it('is registered once', () => {
    const { registeredAt: _r, ...data } = registered.data;
    machine
      .given([])
      .when({ type: 'RegisterMachine', data, meta: meta({ now: registered.data.registeredAt }) })
      .then([registered]);
    machine
      .given([registered])
      .when({ type: 'RegisterMachine', data, meta: m })
      .thenThrows(IllegalStateError, 'machine-exists');
  });
  it('records a state only when it changes, with how long the previous one lasted', () => {
    machine
      .given([registered])
      .when({
        type: 'ChangeMachineState',
        data: { machineId: 'M1', state: 'running', at: '2026-11-25T01:00:00.000Z' },
        meta: m,
      })
      .then([running]);
    machine
      .given([registered, running])
      .when({ type: 'ChangeMachineState', data: { machineId: 'M1', state: 'running' }, meta: m })
      .then([]);
  });
  it('needs a reason code to go down, and refuses a change older than the current state', () => {
    machine
      .given([registered, running])
      .when({ type: 'ChangeMachineState', data: { machineId: 'M1', state: 'down' }, meta: m })
      .thenThrows(ValidationError);
    machine
      .given([registered, running])
      .when({
        type: 'ChangeMachineState',
        data: { machineId: 'M1', state: 'idle', at: '2026-11-25T00:30:00.000Z' },
        meta: m,
      })
      .thenThrows(IllegalStateError, 'state-out-of-order');
    machine
      .given([])
      .when({ type: 'ChangeMachineState', data: { machineId: 'M1', state: 'idle' }, meta: m })
      .thenThrows(NotFoundError);
  });
  it('records energy per interval and refuses an interval that overlaps the last', () => {
    const interval = {
      machineId: 'M1',
      intervalStart: '2026-11-25T01:00:00.000Z',
      intervalEnd: '2026-11-25T01:15:00.000Z',
      kWh: 3.2,
    };
    machine
      .given([registered])
      .when({ type: 'RecordEnergy', data: interval, meta: m })
      .then([{ type: 'EnergyMeasured', data: interval }]);
    machine
      .given([registered, { type: 'EnergyMeasured', data: interval }])
      .when({
        type: 'RecordEnergy',
        data: { ...interval, intervalStart: '2026-11-25T01:10:00.000Z', intervalEnd: '2026-11-25T01:20:00.000Z' },
        meta: m,
      })
      .thenThrows(IllegalStateError, 'interval-overlap');
    machine
      .given([registered])
      .when({ type: 'RecordEnergy', data: { ...interval, intervalEnd: interval.intervalStart }, meta: m })
      .thenThrows(ValidationError);
  });
  it('records counts per interval, refusing an overlap', () => {
    const interval = {
      machineId: 'M1',
      intervalStart: '2026-11-25T01:00:00.000Z',
      intervalEnd: '2026-11-25T01:05:00.000Z',
      total: 10,
      good: 9,
      product: 'SHAFT',
    };
    machine
      .given([registered])
      .when({ type: 'RecordCount', data: interval, meta: m })
      .then([{ type: 'ProductionCounted', data: interval }]);
    machine
      .given([registered, { type: 'ProductionCounted', data: interval }])
      .when({
        type: 'RecordCount',
        data: { ...interval, intervalStart: '2026-11-25T01:04:00.000Z', intervalEnd: '2026-11-25T01:09:00.000Z' },
        meta: m,
      })
      .thenThrows(IllegalStateError, 'interval-overlap');
  });
  it('counts running hours across states', () => {
    const idle: MachineEvent = {
      type: 'MachineStateChanged',
      data: {
        machineId: 'M1',
        state: 'idle',
        previous: 'running',
        changedAt: '2026-11-25T03:00:00.000Z',
        previousSeconds: 7200,
      },
    };
    const state = fold(machineDecider, [registered, running, idle]);
    expect(runningHoursAt(state, '2026-11-25T05:00:00.000Z')).to.equal(2);
    expect(runningHoursAt(fold(machineDecider, [registered, running]), '2026-11-25T01:30:00.000Z')).to.equal(0.5);
  });
});

describe('maintenance plan', () => {
  const defined: MaintenanceEvent = {
    type: 'MaintenancePlanDefined',
    data: {
      planId: 'P1',
      machineId: 'M1',
      kind: 'inspection',
      title: 'Daily lubrication check',
      cycle: { unit: 'days', every: 7 },
      firstDue: { dueAt: '2026-12-02T00:00:00.000Z' },
      definedAt: NOW,
    },
  };
  const overdue: MaintenanceEvent = {
    type: 'MaintenanceOverdue',
    data: {
      planId: 'P1',
      machineId: 'M1',
      title: 'Daily lubrication check',
      due: { dueAt: '2026-12-02T00:00:00.000Z' },
      raisedAt: '2026-12-02T01:00:00.000Z',
    },
  };
  it('is defined with a calendar cycle, due one cycle after it starts', () =>
    plan
      .given([])
      .when({
        type: 'DefineMaintenancePlan',
        data: {
          planId: 'P1',
          machineId: 'M1',
          kind: 'inspection',
          title: 'Daily lubrication check',
          cycle: { unit: 'days', every: 7 },
          startsAt: '2026-11-25T00:00:00.000Z',
        },
        meta: m,
      })
      .then([defined]));
  it('refuses a second definition and a cycle that is not positive', () => {
    const data = {
      planId: 'P1',
      machineId: 'M1',
      kind: 'inspection' as const,
      title: 't',
      cycle: { unit: 'days' as const, every: 7 },
    };
    plan
      .given([defined])
      .when({ type: 'DefineMaintenancePlan', data, meta: m })
      .thenThrows(IllegalStateError, 'plan-exists');
    plan
      .given([])
      .when({ type: 'DefineMaintenancePlan', data: { ...data, cycle: { unit: 'days', every: 0 } }, meta: m })
      .thenThrows(ValidationError);
  });
  it('raises one overdue alarm per due period, and none for a period already closed', () => {
    plan
      .given([defined])
      .when({
        type: 'RaiseOverdueAlarm',
        data: { planId: 'P1', due: { dueAt: '2026-12-02T00:00:00.000Z' } },
        meta: meta({ now: '2026-12-02T01:00:00.000Z' }),
      })
      .then([overdue]);
    plan
      .given([defined, overdue])
      .when({ type: 'RaiseOverdueAlarm', data: { planId: 'P1', due: { dueAt: '2026-12-02T00:00:00.000Z' } }, meta: m })
      .then([]);
    plan
      .given([defined])
      .when({ type: 'RaiseOverdueAlarm', data: { planId: 'P1', due: { dueAt: '2026-11-01T00:00:00.000Z' } }, meta: m })
      .then([]);
  });
  it('performing it resets the due time and clears the alarm', () =>
    plan
      .given([defined, overdue])
      .when({ type: 'PerformMaintenance', data: { planId: 'P1', performedAt: '2026-12-03T00:00:00.000Z' }, meta: m })
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
      ]));
  it('a running-hour plan needs the machine’s hours and is due that many hours later', () => {
    const hoursPlan: MaintenanceEvent = {
      type: 'MaintenancePlanDefined',
      data: { ...defined.data, cycle: { unit: 'runningHours', every: 500 }, firstDue: { dueRunningHours: 500 } },
    };
    plan
      .given([hoursPlan])
      .when({ type: 'PerformMaintenance', data: { planId: 'P1' }, meta: m })
      .thenThrows(ValidationError);
    const events = plan
      .given([hoursPlan])
      .when({ type: 'PerformMaintenance', data: { planId: 'P1', runningHours: 480 }, meta: m })
      .events();
    expect(events[0]?.data).to.deep.include({ late: false, nextDue: { dueRunningHours: 980 }, runningHours: 480 });
  });
});
