import { expect } from 'chai';
import { checkNotFuture, clientTimesOf, notBefore } from '../../../src/domain/clientTime';
import { ValidationError } from '../../../src/domain/errors';
import { machineDecider, type MachineEvent } from '../../../src/domain/machine';
import { orderDecider, type OrderEvent } from '../../../src/domain/order';
import { fold } from '../../../src/domain/messages';
import { meta, specFor } from '../../support/given';

const order = specFor(orderDecider);
const machine = specFor(machineDecider);

const RELEASED_AT = '2026-03-02T08:00:00.000Z';
const released: OrderEvent[] = [
  {
    type: 'OrderPlanned',
    data: {
      orderId: 'PO-T',
      plannedAt: '2026-03-01T08:00:00.000Z',
      spec: {
        product: 'SHAFT',
        quantity: 10,
        unit: 'pcs',
        customer: 'ACME',
        priority: 3,
        dueDate: '2026-03-10T17:00:00+08:00',
        overrunTolerance: 0,
        source: 'planner',
        routing: {
          overlap: false,
          operations: [
            {
              operationId: '010',
              code: 'TURN',
              workCenter: 'WC-TURN',
              standardMinutesPerUnit: 2,
              setupMinutes: 15,
              inspectionRequired: false,
              materials: [],
            },
          ],
        },
      },
    },
  },
  { type: 'OrderReleased', data: { orderId: 'PO-T', releasedAt: RELEASED_AT } },
  {
    type: 'OperationReady',
    data: {
      orderId: 'PO-T',
      operationId: '010',
      workCenter: 'WC-TURN',
      product: 'SHAFT',
      quantity: 10,
      priority: 3,
      dueDate: '2026-03-10T17:00:00+08:00',
      releasedAt: RELEASED_AT,
      plannedMinutes: 35,
    },
  },
];
const start = (now: string) => ({
  type: 'StartOperation' as const,
  data: { orderId: 'PO-T', operationId: '010' },
  meta: meta({ now }),
});

const REGISTERED_AT = '2026-03-02T08:00:00.000Z';
const registered: MachineEvent = {
  type: 'MachineRegistered',
  data: {
    machineId: 'M9',
    code: 'CNC-09',
    name: 'Lathe 9',
    type: 'CNC lathe',
    workCenter: 'WC-TURN',
    ratedPowerKw: 15,
    idealCycleSeconds: [],
    registeredAt: REGISTERED_AT,
  },
};
const state = (at: string) => ({
  type: 'ChangeMachineState' as const,
  data: { machineId: 'M9', state: 'running' as const, at },
  meta: meta({ now: at, actor: 'device:M9' }),
});

const refusal = (run: () => unknown): ValidationError => {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a refusal');
};

describe('client times at the edges', () => {
  describe('not before what the aggregate allows', () => {
    it('refuses a scan dated 2020 on an order released in 2026, naming at', () => {
      order.given(released).when(start('2020-01-01T08:00:00.000Z')).thenThrows(ValidationError, 'time-before-release');
      const error = refusal(() => orderDecider.decide(start('2020-01-01T08:00:00.000Z'), fold(orderDecider, released)));
      expect(error.problems.map((p) => p.path)).to.deep.equal(['/at']);
    });

    it('takes a start from a PDA 2 s behind the server, recorded at the release, and one after it as given', () => {
      // 07:59:58 is 2 s before the release at 08:00:00: within the 5 s tolerance, recorded at 08:00:00
      const early = order.given(released).when(start('2026-03-02T07:59:58.000Z')).events();
      expect(early[0]).to.deep.include({ type: 'OperationStarted' });
      expect((early[0]?.data as { startedAt: string }).startedAt).to.equal(RELEASED_AT);
      const later = order.given(released).when(start('2026-03-02T09:00:00.000Z')).events();
      expect((later[0]?.data as { startedAt: string }).startedAt).to.equal('2026-03-02T09:00:00.000Z');
      // 6 s before is past the tolerance
      order.given(released).when(start('2026-03-02T07:59:54.000Z')).thenThrows(ValidationError, 'time-before-release');
    });

    it('keeps the first state of a device 2 s behind the server after its registration, at the registration', () => {
      machine
        .given([registered])
        .when(state('2026-03-02T07:59:58.000Z'))
        .then([
          {
            type: 'MachineStateChanged',
            data: { machineId: 'M9', state: 'running', previous: 'idle', changedAt: REGISTERED_AT, previousSeconds: 0 },
          },
        ]);
    });

    it('refuses a machine state from before its registration, naming at', () => {
      machine
        .given([registered])
        .when(state('2026-03-01T08:00:00.000Z'))
        .thenThrows(ValidationError, 'time-before-registration');
    });
  });

  describe('not later than the server’s time plus the skew', () => {
    const command = (now: string, data: Record<string, unknown> = {}) => ({
      type: 'PauseOperation',
      data,
      meta: { now, actor: 'op-1' },
    });

    it('refuses a pause dated 2030, naming the field, and takes one within the skew', () => {
      const times = clientTimesOf(command('2030-01-01T00:00:00.000Z'), '/at');
      const error = refusal(() => checkNotFuture(times, '2026-03-02T08:00:00.000Z', 300_000));
      expect(error.rule).to.equal('time-in-future');
      expect(error.problems.map((p) => p.path)).to.deep.equal(['/at']);
      // 4 min 59 s ahead with a 5 min skew: taken; 5 min 1 s: refused
      checkNotFuture(clientTimesOf(command('2026-03-02T08:04:59.000Z'), '/at'), '2026-03-02T08:00:00.000Z', 300_000);
      refusal(() =>
        checkNotFuture(clientTimesOf(command('2026-03-02T08:05:01.000Z'), '/at'), '2026-03-02T08:00:00.000Z', 300_000),
      );
    });

    it('checks the data fields that carry a client time: maintenance performedAt, a machine state’s at', () => {
      const maintenance = {
        type: 'PerformMaintenance',
        data: { planId: 'P1', performedAt: '2030-01-01T00:00:00.000Z' },
        meta: { now: '2026-03-02T08:00:00.000Z', actor: 'mt-1' },
      };
      const error = refusal(() =>
        checkNotFuture(clientTimesOf(maintenance, '/at'), '2026-03-02T08:00:00.000Z', 300_000),
      );
      expect(error.problems.map((p) => p.path)).to.deep.equal(['/performedAt']);
      const device = state('2030-01-01T00:00:00.000Z');
      // the device's at is both the command's time and its data: named once
      expect(clientTimesOf(device, '/at')).to.deep.equal([{ path: '/at', at: '2030-01-01T00:00:00.000Z' }]);
    });

    it('leaves a time before an unknown bound alone', () => {
      expect(notBefore('2020-01-01T00:00:00.000Z', undefined, '/at', 'release', 'x')).to.equal(
        '2020-01-01T00:00:00.000Z',
      );
      expect(notBefore('2020-01-01T00:00:00.000Z', '', '/at', 'release', 'x')).to.equal('2020-01-01T00:00:00.000Z');
    });
  });
});
