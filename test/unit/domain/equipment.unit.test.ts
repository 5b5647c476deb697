import { expect } from 'chai';
import { IllegalStateError, NotFoundError, ValidationError } from '../../../src/domain/errors';
import { machineDecider, runningHoursAt, type MachineEvent } from '../../../src/domain/machine';
import { fold } from '../../../src/domain/messages';
import { meta, specFor } from '../../support/given';

const machine = specFor(machineDecider);
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
