import { expect } from 'chai';
import type { Directive } from '../../../src/domain/aggregates';
import {
  dispatch,
  emptyOverdueView,
  evolveOverdueView,
  overdueAlarms,
  qualityLoop,
  type OverdueView,
} from '../../../src/domain/processes';

const AT = '2026-11-25T09:00:00.000Z';
const summary = (directives: Directive[]) => directives.map((d) => `${d.aggregate}:${d.id}:${d.command.type}`);

describe('process manager: quality loop', () => {
  const characteristics = [{ name: 'diameter', kind: 'measured' as const, lower: 9.95, upper: 10.05 }];
  it('requests the inspection a routing requires', () => {
    const directives = qualityLoop({
      type: 'QualityLoopOpened',
      data: {
        orderId: 'PO-1',
        loopId: 'PO-1.020.1',
        kind: 'inspection',
        operationId: '020',
        reason: 'routing',
        characteristics,
      },
      occurredAt: AT,
    });
    expect(summary(directives)).to.deep.equal(['inspection:PO-1.020.1:RequestInspection']);
    expect(directives[0]?.command.meta).to.deep.equal({ now: AT, actor: 'process:quality-loop' });
  });
  it('on a failed inspection raises a nonconformance, quarantines the lot, requests a re-inspection and holds the order', () => {
    const directives = qualityLoop({
      type: 'InspectionFailed',
      data: {
        inspectionId: 'I1',
        orderId: 'PO-1',
        lotId: 'L1',
        reason: 'operator',
        failed: [{ characteristic: 'diameter', value: 10.1, passed: false }],
        characteristics,
        decidedAt: AT,
      },
      occurredAt: AT,
    });
    expect(summary(directives)).to.deep.equal([
      'nonconformance:NC-I1:RaiseNonconformance',
      'lot:L1:QuarantineLot',
      'inspection:I1-R:RequestInspection',
      'order:PO-1:OpenQualityLoop',
      'order:PO-1:CloseQualityLoop',
    ]);
    expect(directives[2]?.command.data).to.deep.include({
      reason: 'reinspection',
      reinspectionOf: 'NC-I1',
      lotId: 'L1',
      characteristics,
    });
  });
  it('on a failed re-inspection schedules another for the same nonconformance instead of a new one', () => {
    const directives = qualityLoop({
      type: 'InspectionFailed',
      data: {
        inspectionId: 'I1-R',
        orderId: 'PO-1',
        lotId: 'L1',
        reason: 'reinspection',
        reinspectionOf: 'NC-I1',
        failed: [],
        characteristics,
        decidedAt: AT,
      },
      occurredAt: AT,
    });
    expect(summary(directives).slice(0, 3)).to.deep.equal([
      'nonconformance:NC-I1:ScheduleReinspection',
      'lot:L1:QuarantineLot',
      'inspection:I1-R-R:RequestInspection',
    ]);
  });
  it('closes the loop when a re-inspection passes, releasing the lot', () => {
    const directives = qualityLoop({
      type: 'InspectionPassed',
      data: {
        inspectionId: 'I1-R',
        orderId: 'PO-1',
        lotId: 'L1',
        reason: 'reinspection',
        reinspectionOf: 'NC-I1',
        decidedAt: AT,
      },
      occurredAt: AT,
    });
    expect(summary(directives)).to.deep.equal([
      'nonconformance:NC-I1:CloseNonconformance',
      'lot:L1:ReleaseLot',
      'order:PO-1:CloseQualityLoop',
    ]);
  });
  it('applies a final disposition to the lot and cancels the re-inspection still pending', () => {
    expect(
      summary(
        qualityLoop({
          type: 'DispositionDecided',
          data: {
            nonconformanceId: 'NC-I1',
            orderId: 'PO-1',
            lotId: 'L1',
            disposition: 'scrap',
            decidedBy: 'qa',
            decidedAt: AT,
          },
          occurredAt: AT,
        }),
      ),
    ).to.deep.equal(['lot:L1:ScrapLot']);
    expect(
      summary(
        qualityLoop({
          type: 'DispositionDecided',
          data: {
            nonconformanceId: 'NC-I1',
            orderId: 'PO-1',
            lotId: 'L1',
            disposition: 'rework',
            decidedBy: 'qa',
            decidedAt: AT,
          },
          occurredAt: AT,
        }),
      ),
    ).to.deep.equal([]);
    const closed = qualityLoop({
      type: 'NonconformanceClosed',
      data: {
        nonconformanceId: 'NC-I1',
        orderId: 'PO-1',
        lotId: 'L1',
        resolution: 'scrap',
        pendingReinspection: 'I1-R',
        openedAt: AT,
        closedAt: AT,
      },
      occurredAt: AT,
    });
    expect(summary(closed)).to.deep.equal(['inspection:I1-R:CancelInspection', 'order:PO-1:CloseQualityLoop']);
  });
});

describe('process manager: dispatch', () => {
  it('queues a ready operation at its work center and takes it out when it starts', () => {
    const ready = dispatch({
      type: 'OperationReady',
      data: {
        orderId: 'PO-1',
        operationId: '010',
        workCenter: 'WC-TURN',
        product: 'P',
        quantity: 5,
        priority: 2,
        dueDate: AT,
        releasedAt: AT,
        plannedMinutes: 20,
      },
      occurredAt: AT,
    });
    expect(summary(ready)).to.deep.equal(['workcenter:WC-TURN:EnqueueOperation']);
    expect(
      summary(
        dispatch({
          type: 'OperationStarted',
          data: { orderId: 'PO-1', operationId: '010', workCenter: 'WC-TURN', startedAt: AT },
          occurredAt: AT,
        }),
      ),
    ).to.deep.equal(['workcenter:WC-TURN:DequeueOperation']);
  });
  it('takes a held or cancelled order’s operations out, and reorders on a new priority', () => {
    const queued = [{ operationId: '010', workCenter: 'WC-TURN' }];
    expect(
      summary(dispatch({ type: 'OrderHeld', data: { orderId: 'PO-1', reason: 'x', queued }, occurredAt: AT })),
    ).to.deep.equal(['workcenter:WC-TURN:DequeueOperation']);
    expect(
      summary(dispatch({ type: 'OrderCancelled', data: { orderId: 'PO-1', reason: 'x', queued }, occurredAt: AT })),
    ).to.deep.equal(['workcenter:WC-TURN:DequeueOperation']);
    expect(
      summary(
        dispatch({
          type: 'OrderReprioritised',
          data: { orderId: 'PO-1', priority: 1, previous: 3, queued },
          occurredAt: AT,
        }),
      ),
    ).to.deep.equal(['workcenter:WC-TURN:ReprioritiseQueued']);
  });
});

describe('process manager: overdue alarm', () => {
  const view = (): OverdueView =>
    [
      {
        type: 'MaintenancePlanDefined',
        data: {
          planId: 'P1',
          machineId: 'M1',
          kind: 'maintenance',
          title: 't',
          cycle: { unit: 'days', every: 7 },
          firstDue: { dueAt: '2026-12-02T00:00:00.000Z' },
          definedAt: AT,
        },
      },
      {
        type: 'MaintenancePlanDefined',
        data: {
          planId: 'P2',
          machineId: 'M1',
          kind: 'maintenance',
          title: 't',
          cycle: { unit: 'runningHours', every: 2 },
          firstDue: { dueRunningHours: 2 },
          definedAt: AT,
        },
      },
      {
        type: 'MachineRegistered',
        data: {
          machineId: 'M1',
          code: 'M1',
          name: 'M1',
          type: 't',
          workCenter: 'WC',
          ratedPowerKw: 1,
          idealCycleSeconds: [],
          registeredAt: '2026-11-25T00:00:00.000Z',
        },
      },
      {
        type: 'MachineStateChanged',
        data: {
          machineId: 'M1',
          state: 'running',
          previous: 'idle',
          changedAt: '2026-11-25T00:00:00.000Z',
          previousSeconds: 0,
        },
      },
    ].reduce((v, e) => evolveOverdueView(v, e as never), emptyOverdueView);

  it('raises nothing before a plan is due', () =>
    expect(overdueAlarms(view(), '2026-11-25T01:00:00.000Z')).to.deep.equal([]));
  it('raises an alarm for a calendar plan past its due time and a running-hour plan past its hours', () => {
    expect(summary(overdueAlarms(view(), '2026-11-25T03:00:00.000Z'))).to.deep.equal([
      'maintenance:P2:RaiseOverdueAlarm',
    ]);
    expect(summary(overdueAlarms(view(), '2026-12-02T00:00:01.000Z'))).to.deep.equal([
      'maintenance:P1:RaiseOverdueAlarm',
      'maintenance:P2:RaiseOverdueAlarm',
    ]);
  });
  it('raises once per due period, and again only after the next period passes unperformed', () => {
    const alarmed = evolveOverdueView(view(), {
      type: 'MaintenanceOverdue',
      data: { planId: 'P1', machineId: 'M1', title: 't', due: { dueAt: '2026-12-02T00:00:00.000Z' }, raisedAt: AT },
    });
    expect(summary(overdueAlarms(alarmed, '2026-12-03T00:00:00.000Z'))).to.not.include(
      'maintenance:P1:RaiseOverdueAlarm',
    );
    const performed = evolveOverdueView(alarmed, {
      type: 'MaintenancePerformed',
      data: {
        planId: 'P1',
        machineId: 'M1',
        performedAt: '2026-12-03T00:00:00.000Z',
        performedBy: 'tech',
        late: true,
        nextDue: { dueAt: '2026-12-10T00:00:00.000Z' },
      },
    });
    expect(summary(overdueAlarms(performed, '2026-12-09T00:00:00.000Z'))).to.not.include(
      'maintenance:P1:RaiseOverdueAlarm',
    );
    expect(summary(overdueAlarms(performed, '2026-12-10T00:00:01.000Z'))).to.include(
      'maintenance:P1:RaiseOverdueAlarm',
    );
  });
});
