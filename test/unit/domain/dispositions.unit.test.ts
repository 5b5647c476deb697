import { expect } from 'chai';
import { ValidationError } from '../../../src/domain/errors';
import { lotDecider, type LotEvent } from '../../../src/domain/lot';
import { fold } from '../../../src/domain/messages';
import { nonconformanceDecider, type NonconformanceEvent } from '../../../src/domain/nonconformance';
import { meta, NOW, specFor } from '../../support/given';

const nc = specFor(nonconformanceDecider);
const qa = meta({ actor: 'qa-1', roles: ['quality'] });
const raised: NonconformanceEvent = {
  type: 'NonconformanceRaised',
  data: {
    nonconformanceId: 'NC-1',
    inspectionId: 'I1',
    orderId: 'PO-1',
    operationId: '010',
    lotId: 'WIP-PO-1-010',
    quantity: 10,
    unit: 'pcs',
    failed: [],
    reinspectionId: 'I1-R',
    raisedAt: NOW,
  },
};
const split = (dispositions: Array<{ disposition: 'scrap' | 'rework' | 'use-as-is'; quantity: number }>) => ({
  type: 'DecideDisposition' as const,
  data: { nonconformanceId: 'NC-1', dispositions },
  meta: qa,
});

describe('nonconformance quantities and split dispositions', () => {
  it('refuses a split whose quantities do not sum to the nonconformance’s, naming the field', () => {
    let thrown: unknown;
    try {
      nonconformanceDecider.decide(
        split([
          { disposition: 'scrap', quantity: 3 },
          { disposition: 'use-as-is', quantity: 8 },
        ]),
        fold(nonconformanceDecider, [raised]),
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(ValidationError);
    expect((thrown as ValidationError).problems).to.deep.equal([
      { path: '/dispositions', message: 'quantities must sum to 10, not 11' },
    ]);
  });
  it('a split of final dispositions closes it as mixed, one DispositionDecided per line with its quantity', () => {
    const events = nc
      .given([raised])
      .when(
        split([
          { disposition: 'scrap', quantity: 3 },
          { disposition: 'use-as-is', quantity: 7 },
        ]),
      )
      .events();
    expect(events.map((e) => [e.type, (e.data as { quantity?: number }).quantity])).to.deep.equal([
      ['DispositionDecided', 3],
      ['DispositionDecided', 7],
      ['NonconformanceClosed', undefined],
    ]);
    expect(events[2]?.data).to.deep.include({ resolution: 'mixed', pendingReinspection: 'I1-R' });
  });
  it('one disposition covers the whole quantity', () => {
    const events = nc
      .given([raised])
      .when({ type: 'DecideDisposition', data: { nonconformanceId: 'NC-1', disposition: 'scrap' }, meta: qa })
      .events();
    expect(events[0]?.data).to.deep.include({ disposition: 'scrap', quantity: 10 });
  });
  it('rework keeps it open for its units; a failed re-inspection makes them due again', () => {
    const decided = nc
      .given([raised])
      .when(
        split([
          { disposition: 'scrap', quantity: 2 },
          { disposition: 'rework', quantity: 8 },
        ]),
      )
      .events();
    expect(decided.map((e) => e.type)).to.deep.equal(['DispositionDecided', 'DispositionDecided']);
    expect(fold(nonconformanceDecider, [raised, ...decided])).to.deep.include({
      status: 'Rework',
      due: 0,
      reworking: 8,
    });
    const again: NonconformanceEvent = {
      type: 'ReinspectionScheduled',
      data: { nonconformanceId: 'NC-1', inspectionId: 'I1-R-R' },
    };
    nc.given([raised, ...decided, again])
      .when(split([{ disposition: 'scrap', quantity: 10 }]))
      .thenThrows(ValidationError);
    const closing = nc
      .given([raised, ...decided, again])
      .when(
        split([
          { disposition: 'scrap', quantity: 5 },
          { disposition: 'use-as-is', quantity: 3 },
        ]),
      )
      .events();
    expect(closing[2]?.data).to.deep.include({ resolution: 'mixed' });
  });
  it('refuses both a disposition and a split, and a split of an NC without a quantity', () => {
    nc.given([raised])
      .when({
        type: 'DecideDisposition',
        data: {
          nonconformanceId: 'NC-1',
          disposition: 'scrap',
          dispositions: [{ disposition: 'scrap', quantity: 10 }],
        },
        meta: qa,
      })
      .thenThrows(ValidationError);
    const { quantity: _q, unit: _u, ...noQuantity } = raised.data;
    nc.given([{ type: 'NonconformanceRaised', data: noQuantity }])
      .when(split([{ disposition: 'scrap', quantity: 1 }]))
      .thenThrows(ValidationError);
  });
});

describe('a work-in-progress lot under dispositions', () => {
  const opened: LotEvent = {
    type: 'WipLotOpened',
    data: {
      lotId: 'WIP-PO-1-010',
      orderId: 'PO-1',
      operationId: '010',
      material: 'SHAFT',
      quantity: 10,
      unit: 'pcs',
      openedAt: NOW,
    },
  };
  it('is opened once; a part scrapped leaves the rest quarantined', () => {
    const lot = specFor(lotDecider);
    lot
      .given([opened])
      .when({
        type: 'OpenWipLot',
        data: {
          lotId: 'WIP-PO-1-010',
          orderId: 'PO-1',
          operationId: '010',
          material: 'SHAFT',
          quantity: 10,
          unit: 'pcs',
        },
        meta: qa,
      })
      .then([]);
    const quarantined: LotEvent = {
      type: 'LotQuarantined',
      data: { lotId: 'WIP-PO-1-010', reason: 'failed', quarantinedAt: NOW },
    };
    const scrapped = lot
      .given([opened, quarantined])
      .when({ type: 'ScrapLot', data: { lotId: 'WIP-PO-1-010', reason: 'NC', quantity: 3 }, meta: qa })
      .events();
    expect(scrapped[0]?.data).to.deep.include({ quantity: 3 });
    expect(fold(lotDecider, [opened, quarantined, ...scrapped])).to.deep.include({
      status: 'Quarantined',
      onHand: 7,
    });
  });
});
