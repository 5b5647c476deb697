import { expect } from 'chai';
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

  it('records an override with who, why and the rules it set aside; without a rule set aside, records none', () => {
    const issue = { lotId: 'L1', orderId: 'PO-1', operationId: '020', quantity: 5 };
    const override = { reason: 'substitute wire approved by engineering' };
    const [issued] = lot
      .given([received])
      .when({
        type: 'IssueLot',
        data: { ...issue, override, overridden: ['material-not-on-bom'] },
        meta: meta({ actor: 'qa-wang', roles: ['quality'] }),
      })
      .events();
    expect(issued?.data).to.deep.include({
      override: { by: 'qa-wang', reason: 'substitute wire approved by engineering', rules: ['material-not-on-bom'] },
    });
    const [plain] = lot
      .given([received])
      .when({ type: 'IssueLot', data: { ...issue, override, overridden: [] }, meta: m })
      .events();
    expect(plain?.data).not.to.have.property('override');
  });

  const produced: LotEvent = {
    type: 'LotProduced',
    data: { lotId: 'FG-1', material: 'MOTOR', orderId: 'PO-1', quantity: 10, unit: 'pcs', producedAt: NOW },
  };
  const ship = (shipmentId: string, quantity: number, customer = '重庆长安汽车') => ({
    type: 'ShipLot' as const,
    data: { lotId: 'FG-1', shipmentId, customer, quantity },
    meta: m,
  });

  it('ships finished goods to a customer, in parts, until none is left', () => {
    lot
      .given([produced])
      .when(ship('SH-1', 4))
      .then([
        {
          type: 'LotShipped',
          data: {
            lotId: 'FG-1',
            material: 'MOTOR',
            orderId: 'PO-1',
            shipmentId: 'SH-1',
            customer: '重庆长安汽车',
            quantity: 4,
            unit: 'pcs',
            shippedAt: NOW,
          },
        },
      ]);
    const first = lot.given([produced]).when(ship('SH-1', 4)).events();
    // the same shipment again writes nothing; the same id with other content is refused
    lot
      .given([produced, ...first])
      .when(ship('SH-1', 4))
      .then([]);
    lot
      .given([produced, ...first])
      .when(ship('SH-1', 5))
      .thenThrows(IllegalStateError, 'shipment-exists');
    // 10 - 4 = 6 left: 7 is too many, 6 empties the lot, which then is shipped
    lot
      .given([produced, ...first])
      .when(ship('SH-2', 7))
      .thenThrows(IllegalStateError, 'lot-insufficient');
    const rest = lot
      .given([produced, ...first])
      .when(ship('SH-2', 6))
      .events();
    lot
      .given([produced, ...first, ...rest])
      .when(ship('SH-3', 1))
      .thenThrows(IllegalStateError, 'lot-not-available');
    lot
      .given([produced, ...first, ...rest])
      .when({ type: 'QuarantineLot', data: { lotId: 'FG-1', reason: 'x' }, meta: m })
      .thenThrows(IllegalStateError, 'lot-closed');
  });

  it('ships only finished goods made here, never while quarantined, in the lot’s unit', () => {
    lot
      .given([received])
      .when({ type: 'ShipLot', data: { lotId: 'L1', shipmentId: 'SH-1', customer: 'X', quantity: 1 }, meta: m })
      .thenThrows(IllegalStateError, 'lot-not-produced');
    lot
      .given([produced, { type: 'LotQuarantined', data: { lotId: 'FG-1', reason: 'r', quarantinedAt: NOW } }])
      .when(ship('SH-1', 1))
      .thenThrows(IllegalStateError, 'lot-quarantined');
    lot
      .given([produced])
      .when({ ...ship('SH-1', 1), data: { ...ship('SH-1', 1).data, unit: 'kg' } })
      .thenThrows(IllegalStateError, 'lot-unit-mismatch');
    lot.given([]).when(ship('SH-1', 1)).thenThrows(NotFoundError);
  });
});
