import { expect } from 'chai';
import { ForbiddenError, IllegalStateError, ValidationError } from '../../../src/domain/errors';
import { inspectionDecider, type InspectionEvent } from '../../../src/domain/inspection';
import {
  nonconformanceDecider,
  type NonconformanceCommand,
  type NonconformanceEvent,
} from '../../../src/domain/nonconformance';
import { fold } from '../../../src/domain/messages';
import { meta, NOW, specFor } from '../../support/given';

const inspection = specFor(inspectionDecider);
const nc = specFor(nonconformanceDecider);
const m = meta({ actor: 'qa-1' });
const characteristics = [
  { name: 'diameter', kind: 'measured' as const, lower: 9.95, upper: 10.05, unit: 'mm' },
  { name: 'surface', kind: 'attribute' as const },
];
const requested: InspectionEvent = {
  type: 'InspectionRequested',
  data: { inspectionId: 'I1', orderId: 'PO-1', lotId: 'L1', reason: 'operator', characteristics, requestedAt: NOW },
};

describe('inspection', () => {
  it('is requested with what to check, and refuses an empty or repeated list', () => {
    inspection
      .given([])
      .when({
        type: 'RequestInspection',
        data: { inspectionId: 'I1', orderId: 'PO-1', lotId: 'L1', reason: 'operator', characteristics },
        meta: m,
      })
      .then([requested]);
    inspection
      .given([])
      .when({
        type: 'RequestInspection',
        data: { inspectionId: 'I1', orderId: 'PO-1', reason: 'operator', characteristics: [] },
        meta: m,
      })
      .thenThrows(ValidationError);
    inspection
      .given([requested])
      .when({
        type: 'RequestInspection',
        data: { inspectionId: 'I1', orderId: 'PO-1', reason: 'operator', characteristics },
        meta: m,
      })
      .thenThrows(IllegalStateError, 'inspection-exists');
  });
  it('judges a measured value against its limits and reaches the verdict when all are in', () => {
    inspection
      .given([requested])
      .when({
        type: 'RecordInspectionResults',
        data: { inspectionId: 'I1', results: [{ characteristic: 'diameter', value: 10.02 }] },
        meta: m,
      })
      .then([
        {
          type: 'InspectionResultsRecorded',
          data: {
            inspectionId: 'I1',
            results: [{ characteristic: 'diameter', value: 10.02, passed: true }],
            inspector: 'qa-1',
            recordedAt: NOW,
          },
        },
      ]);
    const events = inspection
      .given([requested])
      .when({
        type: 'RecordInspectionResults',
        data: {
          inspectionId: 'I1',
          results: [
            { characteristic: 'diameter', value: 10.02 },
            { characteristic: 'surface', passed: true },
          ],
        },
        meta: m,
      })
      .events();
    expect(events[1]).to.deep.equal({
      type: 'InspectionPassed',
      data: { inspectionId: 'I1', orderId: 'PO-1', lotId: 'L1', reason: 'operator', decidedAt: NOW },
    });
  });
  it('fails when a value is out of limits, naming it, and keeps the characteristics for a re-inspection', () => {
    const events = inspection
      .given([requested])
      .when({
        type: 'RecordInspectionResults',
        data: {
          inspectionId: 'I1',
          results: [
            { characteristic: 'diameter', value: 10.07 },
            { characteristic: 'surface', passed: true },
          ],
        },
        meta: m,
      })
      .events();
    expect(events[1]?.type).to.equal('InspectionFailed');
    expect(events[1]?.data).to.deep.include({
      failed: [{ characteristic: 'diameter', value: 10.07, passed: false }],
      characteristics,
    });
  });
  it('refuses a result for what it does not check, a measured value missing, and a result recorded twice', () => {
    inspection
      .given([requested])
      .when({
        type: 'RecordInspectionResults',
        data: { inspectionId: 'I1', results: [{ characteristic: 'weight', value: 1 }] },
        meta: m,
      })
      .thenThrows(ValidationError);
    inspection
      .given([requested])
      .when({
        type: 'RecordInspectionResults',
        data: { inspectionId: 'I1', results: [{ characteristic: 'diameter', passed: true }] },
        meta: m,
      })
      .thenThrows(ValidationError);
    const one: InspectionEvent = {
      type: 'InspectionResultsRecorded',
      data: {
        inspectionId: 'I1',
        results: [{ characteristic: 'surface', passed: true }],
        inspector: 'qa',
        recordedAt: NOW,
      },
    };
    inspection
      .given([requested, one])
      .when({
        type: 'RecordInspectionResults',
        data: { inspectionId: 'I1', results: [{ characteristic: 'surface', passed: false }] },
        meta: m,
      })
      .thenThrows(IllegalStateError, 'result-recorded');
  });
  it('cancels a pending inspection, once, but not a decided one', () => {
    const cancelled: InspectionEvent = {
      type: 'InspectionCancelled',
      data: { inspectionId: 'I1', orderId: 'PO-1', reason: 'closed', cancelledAt: NOW },
    };
    inspection
      .given([requested, cancelled])
      .when({ type: 'CancelInspection', data: { inspectionId: 'I1', reason: 'again' }, meta: m })
      .then([]);
    inspection
      .given([requested])
      .when({ type: 'CancelInspection', data: { inspectionId: 'I1', reason: 'closed' }, meta: m })
      .then([
        {
          type: 'InspectionCancelled',
          data: { inspectionId: 'I1', orderId: 'PO-1', reason: 'closed', cancelledAt: NOW },
        },
      ]);
    const passed: InspectionEvent = {
      type: 'InspectionPassed',
      data: { inspectionId: 'I1', orderId: 'PO-1', reason: 'operator', decidedAt: NOW },
    };
    inspection
      .given([requested, passed])
      .when({ type: 'CancelInspection', data: { inspectionId: 'I1', reason: 'x' }, meta: m })
      .thenThrows(IllegalStateError, 'inspection-decided');
  });
});

describe('nonconformance', () => {
  const raised: NonconformanceEvent = {
    type: 'NonconformanceRaised',
    data: {
      nonconformanceId: 'NC-I1',
      inspectionId: 'I1',
      orderId: 'PO-1',
      lotId: 'L1',
      failed: [],
      reinspectionId: 'I1-R',
      raisedAt: NOW,
    },
  };
  it('is raised once per failed inspection', () =>
    nc
      .given([raised])
      .when({
        type: 'RaiseNonconformance',
        data: { nonconformanceId: 'NC-I1', inspectionId: 'I1', orderId: 'PO-1', failed: [], reinspectionId: 'I1-R' },
        meta: m,
      })
      .thenThrows(IllegalStateError, 'nonconformance-exists'));
  it('refuses an NC raised by hand on an operation without the units found, naming the field', () => {
    const refusal = (): unknown => {
      try {
        return nonconformanceDecider.decide(command, fold(nonconformanceDecider, []));
      } catch (error) {
        return error;
      }
    };
    const command: NonconformanceCommand = {
      type: 'RaiseNonconformance',
      data: {
        nonconformanceId: 'NC-CC',
        source: 'customer-complaint',
        description: 'burrs',
        orderId: 'PO-1',
        operationId: '010',
        failed: [],
      },
      meta: m,
    };
    const thrown = refusal();
    expect(thrown).to.be.instanceOf(ValidationError);
    expect((thrown as ValidationError).problems.map((e) => e.path)).to.deep.equal(['/quantity']);
  });
  it('waits for the newest re-inspection when another is scheduled; the same one twice writes nothing', () => {
    nc.given([raised])
      .when({ type: 'ScheduleReinspection', data: { nonconformanceId: 'NC-I1', inspectionId: 'I1-R-R' }, meta: m })
      .then([{ type: 'ReinspectionScheduled', data: { nonconformanceId: 'NC-I1', inspectionId: 'I1-R-R' } }]);
    nc.given([raised])
      .when({ type: 'ScheduleReinspection', data: { nonconformanceId: 'NC-I1', inspectionId: 'I1-R' }, meta: m })
      .then([]);
    const rescheduled: NonconformanceEvent = {
      type: 'ReinspectionScheduled',
      data: { nonconformanceId: 'NC-I1', inspectionId: 'I1-R-R' },
    };
    const events = nc
      .given([raised, rescheduled])
      .when({ type: 'DecideDisposition', data: { nonconformanceId: 'NC-I1', disposition: 'scrap' }, meta: m })
      .events();
    expect(events[1]?.data).to.deep.include({ pendingReinspection: 'I1-R-R' });
  });
  it('keeps the loop open on rework, waiting for the re-inspection', () =>
    nc
      .given([raised])
      .when({ type: 'DecideDisposition', data: { nonconformanceId: 'NC-I1', disposition: 'rework' }, meta: m })
      .then([
        {
          type: 'DispositionDecided',
          data: {
            nonconformanceId: 'NC-I1',
            orderId: 'PO-1',
            lotId: 'L1',
            disposition: 'rework',
            pendingReinspection: 'I1-R',
            decidedBy: 'qa-1',
            decidedAt: NOW,
          },
        },
      ]));
  it('closes on a final disposition, naming the re-inspection still pending', () => {
    const events = nc
      .given([raised])
      .when({ type: 'DecideDisposition', data: { nonconformanceId: 'NC-I1', disposition: 'scrap' }, meta: m })
      .events();
    expect(events.map((e) => e.type)).to.deep.equal(['DispositionDecided', 'NonconformanceClosed']);
    expect(events[1]?.data).to.deep.include({ resolution: 'scrap', pendingReinspection: 'I1-R' });
  });
  it('lets only an approver with the quality role use a part as it is', () => {
    nc.given([raised])
      .when({
        type: 'DecideDisposition',
        data: { nonconformanceId: 'NC-I1', disposition: 'use-as-is' },
        meta: meta({ roles: ['operator'] }),
      })
      .thenThrows(ForbiddenError);
    const events = nc
      .given([raised])
      .when({
        type: 'DecideDisposition',
        data: { nonconformanceId: 'NC-I1', disposition: 'use-as-is' },
        meta: meta({ roles: ['quality'] }),
      })
      .events();
    expect(events[1]?.data).to.deep.include({ resolution: 'use-as-is' });
  });
  it('closes when a re-inspection passes, once; and refuses dispositions after', () => {
    const closed: NonconformanceEvent = {
      type: 'NonconformanceClosed',
      data: {
        nonconformanceId: 'NC-I1',
        orderId: 'PO-1',
        resolution: 'reinspection-passed',
        openedAt: NOW,
        closedAt: NOW,
      },
    };
    nc.given([raised])
      .when({ type: 'CloseNonconformance', data: { nonconformanceId: 'NC-I1' }, meta: m })
      .then([
        {
          type: 'NonconformanceClosed',
          data: {
            nonconformanceId: 'NC-I1',
            orderId: 'PO-1',
            lotId: 'L1',
            resolution: 'reinspection-passed',
            openedAt: NOW,
            closedAt: NOW,
          },
        },
      ]);
    nc.given([raised, closed])
      .when({ type: 'CloseNonconformance', data: { nonconformanceId: 'NC-I1' }, meta: m })
      .then([]);
    nc.given([raised, closed])
      .when({ type: 'DecideDisposition', data: { nonconformanceId: 'NC-I1', disposition: 'scrap' }, meta: m })
      .thenThrows(IllegalStateError, 'nonconformance-closed');
  });
});
