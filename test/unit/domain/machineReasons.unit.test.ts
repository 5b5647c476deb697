import { ValidationError } from '../../../src/domain/errors';
import { machineDecider, type MachineEvent } from '../../../src/domain/machine';
import { meta, specFor } from '../../support/given';

const machine = specFor(machineDecider);
const registered: MachineEvent = {
  type: 'MachineRegistered',
  data: {
    machineId: 'M1',
    code: 'CNC-01',
    name: 'Lathe 1',
    type: 'CNC lathe',
    workCenter: 'WC-TURN',
    ratedPowerKw: 15,
    idealCycleSeconds: [],
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
    reasonCode: 'minor-stop',
  },
};
const at = '2026-11-25T02:00:00.000Z';
const device = meta({ actor: 'device:M1', now: at });
const person = meta({ actor: 'op-1', now: at });
const changed = (state: 'idle' | 'setup' | 'down' | 'maintenance' | 'running', reasonCode?: string): MachineEvent => ({
  type: 'MachineStateChanged',
  data: {
    machineId: 'M1',
    state,
    previous: 'running',
    changedAt: at,
    previousSeconds: 3600,
    ...(reasonCode ? { reasonCode } : {}),
  },
});

describe('machine states carry their reasons', () => {
  it('a device idle without a reason is a minor stop; set-up a changeover; maintenance planned; down a breakdown', () => {
    machine
      .given([registered, running])
      .when({ type: 'ChangeMachineState', data: { machineId: 'M1', state: 'idle' }, meta: device })
      .then([changed('idle', 'minor-stop')]);
    machine
      .given([registered, running])
      .when({ type: 'ChangeMachineState', data: { machineId: 'M1', state: 'setup' }, meta: device })
      .then([changed('setup', 'changeover')]);
    machine
      .given([registered, running])
      .when({ type: 'ChangeMachineState', data: { machineId: 'M1', state: 'maintenance' }, meta: device })
      .then([changed('maintenance', 'planned-maintenance')]);
    machine
      .given([registered, running])
      .when({ type: 'ChangeMachineState', data: { machineId: 'M1', state: 'down' }, meta: device })
      .then([changed('down', 'breakdown')]);
  });
  it('keeps the reason given; a person must say why a machine is down; running carries none', () => {
    machine
      .given([registered, running])
      .when({
        type: 'ChangeMachineState',
        data: { machineId: 'M1', state: 'idle', reasonCode: 'material-shortage' },
        meta: person,
      })
      .then([changed('idle', 'material-shortage')]);
    machine
      .given([registered, running])
      .when({ type: 'ChangeMachineState', data: { machineId: 'M1', state: 'down' }, meta: person })
      .thenThrows(ValidationError);
    machine
      .given([registered, running, changed('idle', 'no-demand')])
      .when({
        type: 'ChangeMachineState',
        data: { machineId: 'M1', state: 'running', reasonCode: 'no-demand' },
        meta: meta({ actor: 'op-1', now: '2026-11-25T03:00:00.000Z' }),
      })
      .then([
        {
          type: 'MachineStateChanged',
          data: {
            machineId: 'M1',
            state: 'running',
            previous: 'idle',
            changedAt: '2026-11-25T03:00:00.000Z',
            previousSeconds: 3600,
          },
        },
      ]);
  });
  it('records a new reason for the stop a machine is in, but not a repeat without one', () => {
    const idleNoDemand = changed('idle', 'no-demand');
    const later = meta({ actor: 'op-1', now: '2026-11-25T02:30:00.000Z' });
    machine
      .given([registered, running, idleNoDemand])
      .when({
        type: 'ChangeMachineState',
        data: { machineId: 'M1', state: 'idle', reasonCode: 'material-shortage' },
        meta: later,
      })
      .then([
        {
          type: 'MachineStateChanged',
          data: {
            machineId: 'M1',
            state: 'idle',
            previous: 'idle',
            changedAt: '2026-11-25T02:30:00.000Z',
            previousSeconds: 1800,
            reasonCode: 'material-shortage',
          },
        },
      ]);
    machine
      .given([registered, running, idleNoDemand])
      .when({ type: 'ChangeMachineState', data: { machineId: 'M1', state: 'idle' }, meta: later })
      .then([]);
    machine
      .given([registered, running, idleNoDemand])
      .when({
        type: 'ChangeMachineState',
        data: { machineId: 'M1', state: 'idle', reasonCode: 'no-demand' },
        meta: later,
      })
      .then([]);
    // a breakdown stays one failure: its reason is not changed in place
    machine
      .given([registered, running, changed('down', 'breakdown')])
      .when({
        type: 'ChangeMachineState',
        data: { machineId: 'M1', state: 'down', reasonCode: 'tooling' },
        meta: later,
      })
      .then([]);
  });
});
