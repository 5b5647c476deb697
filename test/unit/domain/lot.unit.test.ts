import { IllegalStateError, NotFoundError } from '../../../src/domain/errors';
import { lotDecider, type LotEvent } from '../../../src/domain/lot';
import { meta, NOW, specFor } from '../../support/given';

const lot = specFor(lotDecider);
const m = meta();
const received: LotEvent = {
  type: 'LotReceived',
  data: {
    lotId: 'L1',
    material: 'CU-WIRE',
    quantity: 100,
    unit: 'kg',
    supplier: 'Wire Co',
    supplierLot: 'W-77',
    receivedAt: NOW,
    source: 'wms',
  },
};
const quarantined: LotEvent = {
  type: 'LotQuarantined',
  data: { lotId: 'L1', reason: 'inspection failed', nonconformanceId: 'NC-1', quarantinedAt: NOW },
};

describe('material lot', () => {
  it('receives a lot, once', () => {
    const { lotId, material, quantity, unit, supplier, supplierLot, source } = received.data;
    lot
      .given([])
      .when({ type: 'ReceiveLot', data: { lotId, material, quantity, unit, supplier, supplierLot, source }, meta: m })
      .then([received]);
    lot
      .given([received])
      .when({ type: 'ReceiveLot', data: { lotId, material, quantity, unit, supplier, supplierLot, source }, meta: m })
      .thenThrows(IllegalStateError, 'lot-exists');
  });
  it('issues to an order operation what is on hand, never more (genealogy: lot into order)', () => {
    lot
      .given([received])
      .when({ type: 'IssueLot', data: { lotId: 'L1', orderId: 'PO-1', operationId: '020', quantity: 40 }, meta: m })
      .then([
        {
          type: 'LotIssued',
          data: {
            lotId: 'L1',
            material: 'CU-WIRE',
            orderId: 'PO-1',
            operationId: '020',
            quantity: 40,
            unit: 'kg',
            issuedAt: NOW,
          },
        },
      ]);
    lot
      .given([received])
      .when({ type: 'IssueLot', data: { lotId: 'L1', orderId: 'PO-1', operationId: '020', quantity: 100.5 }, meta: m })
      .thenThrows(IllegalStateError, 'lot-insufficient');
  });
  it('never issues a material the operation’s bill of materials does not list', () => {
    const issue = (bom: string[]) =>
      lot
        .given([received])
        .when({
          type: 'IssueLot',
          data: { lotId: 'L1', orderId: 'PO-1', operationId: '020', quantity: 5, bom },
          meta: m,
        });
    issue(['BAR-STEEL', 'OIL']).thenThrows(IllegalStateError, 'lot-wrong-material');
    issue(['BAR-STEEL', 'CU-WIRE']).then([
      {
        type: 'LotIssued',
        data: {
          lotId: 'L1',
          material: 'CU-WIRE',
          orderId: 'PO-1',
          operationId: '020',
          quantity: 5,
          unit: 'kg',
          issuedAt: NOW,
        },
      },
    ]);
  });
  it('never issues while quarantined, and releases from quarantine', () => {
    lot
      .given([received, quarantined])
      .when({ type: 'IssueLot', data: { lotId: 'L1', orderId: 'PO-1', operationId: '020', quantity: 1 }, meta: m })
      .thenThrows(IllegalStateError, 'lot-quarantined');
    lot
      .given([received, quarantined])
      .when({ type: 'ReleaseLot', data: { lotId: 'L1', reason: 'use as is' }, meta: m })
      .then([{ type: 'LotReleased', data: { lotId: 'L1', reason: 'use as is', releasedAt: NOW } }]);
    lot
      .given([received])
      .when({ type: 'ReleaseLot', data: { lotId: 'L1', reason: 'x' }, meta: m })
      .thenThrows(IllegalStateError, 'lot-not-quarantined');
  });
  it('quarantining twice writes nothing', () =>
    lot
      .given([received, quarantined])
      .when({ type: 'QuarantineLot', data: { lotId: 'L1', reason: 'again' }, meta: m })
      .then([]));
  it('produces finished goods from an order (genealogy: order into lot)', () =>
    lot
      .given([])
      .when({
        type: 'ProduceLot',
        data: { lotId: 'FG-1', material: 'MOTOR-5KW', orderId: 'PO-1', quantity: 10, unit: 'pcs' },
        meta: m,
      })
      .then([
        {
          type: 'LotProduced',
          data: { lotId: 'FG-1', material: 'MOTOR-5KW', orderId: 'PO-1', quantity: 10, unit: 'pcs', producedAt: NOW },
        },
      ]));
  it('scraps what is on hand, then refuses to issue from it', () => {
    lot
      .given([received])
      .when({ type: 'ScrapLot', data: { lotId: 'L1', reason: 'corroded' }, meta: m })
      .then([{ type: 'LotScrapped', data: { lotId: 'L1', quantity: 100, reason: 'corroded', scrappedAt: NOW } }]);
    const scrapped: LotEvent = {
      type: 'LotScrapped',
      data: { lotId: 'L1', quantity: 100, reason: 'corroded', scrappedAt: NOW },
    };
    lot
      .given([received, scrapped])
      .when({ type: 'IssueLot', data: { lotId: 'L1', orderId: 'PO-1', operationId: '020', quantity: 1 }, meta: m })
      .thenThrows(IllegalStateError, 'lot-not-available');
  });
  it('returns a bought lot to its supplier, but not one made here', () => {
    lot
      .given([received, quarantined])
      .when({ type: 'ReturnLotToSupplier', data: { lotId: 'L1', reason: 'out of spec' }, meta: m })
      .then([
        {
          type: 'LotReturnedToSupplier',
          data: { lotId: 'L1', quantity: 100, supplier: 'Wire Co', reason: 'out of spec', returnedAt: NOW },
        },
      ]);
    const produced: LotEvent = {
      type: 'LotProduced',
      data: { lotId: 'L1', material: 'M', orderId: 'PO-1', quantity: 1, unit: 'pcs', producedAt: NOW },
    };
    lot
      .given([produced])
      .when({ type: 'ReturnLotToSupplier', data: { lotId: 'L1', reason: 'x' }, meta: m })
      .thenThrows(IllegalStateError, 'lot-not-purchased');
  });
  it('knows no lot it never received', () =>
    lot
      .given([])
      .when({ type: 'ScrapLot', data: { lotId: 'L9', reason: 'x' }, meta: m })
      .thenThrows(NotFoundError));
});
