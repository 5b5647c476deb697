import { expect } from 'chai';
import { DEFAULT_EMISSION_FACTOR, type PlantConfig } from '../../src/app/plant';
import type { ReadStore } from '../../src/app/readStore';
import { createReadModelQueries, type ReadModelQueries } from '../../src/projections/queries';
import { projectLog, type LoggedEvent } from '../support/eventLog';
import { operation, orderSpec } from '../support/fixtures';
import { TEST_PLANT } from '../support/readStoreDump';

const NOW = new Date('2026-11-25T12:00:00Z');
const PLANT: PlantConfig = {
  ...TEST_PLANT,
  emissionFactors: [
    DEFAULT_EMISSION_FACTOR,
    {
      site: 'S1',
      from: '2026-01-01',
      kgCo2ePerKWh: 0.6,
      gas: 'CO2',
      region: 'East China grid',
      source: 'test: regional',
    },
    {
      site: 'S2',
      from: '2026-01-01',
      kgCo2ePerKWh: 0.4,
      gas: 'CO2',
      region: 'South China grid',
      source: 'test: regional',
    },
  ],
};
const t = (hhmm: string) => `2026-11-25T${hhmm}:00+08:00`;
const workCenter = (code: string, site: string): LoggedEvent => ({
  stream: `workCenter-${code}`,
  type: 'WorkCenterDefined',
  data: { code, version: 1, effectiveFrom: t('00:00'), record: { names: { en: code }, site } },
  at: t('00:00'),
});
const machine = (machineId: string, wc: string): LoggedEvent => ({
  stream: `machine-${machineId}`,
  type: 'MachineRegistered',
  data: {
    machineId,
    code: machineId,
    name: machineId,
    type: 'lathe',
    workCenter: wc,
    ratedPowerKw: 10,
    idealCycleSeconds: [],
    registeredAt: t('00:00'),
  },
  at: t('00:00'),
});
const planned = (orderId: string, product: string, wc: string): LoggedEvent => ({
  stream: `order-${orderId}`,
  type: 'OrderPlanned',
  data: {
    orderId,
    spec: orderSpec({ product, quantity: 10 }, [operation('010', { workCenter: wc })]),
    plannedAt: t('00:00'),
  },
  at: t('00:00'),
});
const run = (orderId: string, wc: string, machineId: string | null, from: string, to: string): LoggedEvent[] => [
  {
    stream: `order-${orderId}`,
    type: 'OperationStarted',
    data: { orderId, operationId: '010', workCenter: wc, ...(machineId ? { machineId } : {}), startedAt: t(from) },
    at: t(from),
  },
  {
    stream: `order-${orderId}`,
    type: 'OperationCompleted',
    data: {
      orderId,
      operationId: '010',
      workCenter: wc,
      ...(machineId ? { machineId } : {}),
      good: 10,
      scrap: 0,
      rework: 0,
      startedAt: t(from),
      completedAt: t(to),
      last: true,
    },
    at: t(to),
  },
];
const energy = (machineId: string, from: string, to: string, kWh: number): LoggedEvent => ({
  stream: `machine-${machineId}`,
  type: 'EnergyMeasured',
  data: { machineId, intervalStart: t(from), intervalEnd: t(to), kWh },
  at: t(to),
});
const completed = (orderId: string, product: string, good: number): LoggedEvent => ({
  stream: `order-${orderId}`,
  type: 'OrderCompleted',
  data: { orderId, product, good, scrap: 0, completedAt: t('13:00') },
  at: t('13:00'),
});

/**
 * Worked example, one local day (2026-11-25, Asia/Shanghai). Site S1 (0.6 kg CO2/kWh): WC-1 with M1.
 * Site S2 (0.4 kg CO2/kWh): WC-2 with M2 and M3.
 *   PO-1 (SHAFT) on M1 08-09: 10 kWh. M1 idle 09-10: 2 kWh, overhead. PO-4 (GEAR) on M1 10-13: 9 kWh.
 *   PO-2 (SHAFT) on M2 08-09: 20 kWh; PO-2 is never completed.
 *   PO-3 (GEAR) at WC-2 without a machine 10-11; M2 (4 kWh) and M3 (6 kWh) run nothing booked then:
 *   both fall to PO-3, 10 kWh.
 * Day: S1 21 kWh x 0.6 = 12.6 kg; S2 30 kWh x 0.4 = 12 kg; 51 kWh, 24.6 kg CO2 (one factor, 0.5306, would say 27.06).
 * SHAFT per unit over completed orders: PO-1's 10 kWh / 10 units = 1 kWh, 0.6 kg (PO-2's 20 kWh stay out).
 * Overhead: S1's 2 kWh to the orders that ran at S1 that day by run time: PO-1 1 h, PO-4 3 h: 0.5 and 1.5 kWh.
 */
const EVENTS: LoggedEvent[] = [
  workCenter('WC-1', 'S1'),
  workCenter('WC-2', 'S2'),
  machine('M1', 'WC-1'),
  machine('M2', 'WC-2'),
  machine('M3', 'WC-2'),
  planned('PO-1', 'SHAFT', 'WC-1'),
  planned('PO-2', 'SHAFT', 'WC-2'),
  planned('PO-3', 'GEAR', 'WC-2'),
  planned('PO-4', 'GEAR', 'WC-1'),
  ...run('PO-1', 'WC-1', 'M1', '08:00', '09:00'),
  ...run('PO-2', 'WC-2', 'M2', '08:00', '09:00'),
  ...run('PO-3', 'WC-2', null, '10:00', '11:00'),
  ...run('PO-4', 'WC-1', 'M1', '10:00', '13:00'),
  energy('M1', '08:00', '09:00', 10),
  energy('M2', '08:00', '09:00', 20),
  energy('M1', '09:00', '10:00', 2),
  energy('M2', '10:00', '11:00', 4),
  energy('M3', '10:00', '11:00', 6),
  energy('M1', '10:00', '13:00', 9),
  completed('PO-1', 'SHAFT', 10),
  completed('PO-3', 'GEAR', 10),
  completed('PO-4', 'GEAR', 10),
];

describe('carbon: sites and their factors, completed orders per unit, machine-less operations, overhead', function () {
  this.timeout(30_000);
  let q: ReadModelQueries;
  let readStore: ReadStore;
  let close: () => Promise<void>;
  before(async () => ({ q, readStore, close } = await projectLog(PLANT, EVENTS, NOW)));
  after(() => close());

  it('splits a day across two sites, each with its own factor, labelled CO2', async () => {
    const day = await q.carbon.day('2026-11-25');
    expect(day).to.deep.include({ kWh: 51, gas: 'CO2', overheadKWh: 2 });
    expect(day['kgCo2']).to.be.closeTo(24.6, 1e-9);
    expect(day).to.not.have.property('kgCo2e');
    expect(day.sites.map((s) => [s.site, s.kWh, s['kgCo2'], s.factor.region])).to.deep.equal([
      ['S1', 21, 21 * 0.6, 'East China grid'],
      ['S2', 30, 30 * 0.4, 'South China grid'],
    ]);
    const m1 = await q.carbon.machine('M1');
    expect(m1).to.deep.include({ workCenter: 'WC-1', sites: ['S1'], kWh: 21, overheadKWh: 2 });
    expect(m1['overheadKgCo2']).to.be.closeTo(1.2, 1e-9);
  });

  it('counts product kWh per unit over completed orders only', async () => {
    const shaft = await q.carbon.product('SHAFT');
    expect(shaft).to.deep.include({ completedOrders: 1, units: 10, kWh: 10, kWhPerUnit: 1 });
    expect(shaft['kgCo2PerUnit']).to.be.closeTo(0.6, 1e-9);
    expect((await q.carbon.order('PO-2')).status).to.equal('open');
  });

  it('gives an operation without a machine the unbooked energy of its work center’s machines', async () => {
    const po3 = await q.carbon.order('PO-3');
    expect(po3).to.deep.include({ kWh: 10, kWhPerUnit: 1 });
    expect(po3['kgCo2']).to.be.closeTo(4, 1e-9);
    expect((await q.carbon.machine('M2')).overheadKWh).to.equal(0);
  });

  it('allocates a site-day’s overhead to its orders by run time, beside the direct figure', async () => {
    const po1 = await q.carbon.order('PO-1');
    expect(po1).to.deep.include({ kWh: 10, kWhPerUnit: 1 });
    expect(po1.overheadAllocated.kWh).to.be.closeTo(0.5, 1e-9); // 2 kWh x 1 h / 4 h
    expect(po1.withOverhead.kWh).to.be.closeTo(10.5, 1e-9);
    expect(po1.withOverhead['kgCo2PerUnit']).to.be.closeTo(0.63, 1e-9);
    expect((await q.carbon.order('PO-4')).overheadAllocated.kWh).to.be.closeTo(1.5, 1e-9); // 2 x 3 / 4
  });

  it('says CO2e where a factor counts CO2 equivalents', async () => {
    const withE = createReadModelQueries(
      readStore,
      {
        ...PLANT,
        emissionFactors: [
          ...PLANT.emissionFactors,
          { site: 'S2', from: '2026-01-01', kgCo2ePerKWh: 0.5, gas: 'CO2e', source: 'test' },
        ],
      },
      () => NOW,
    );
    const po3 = await withE.carbon.order('PO-3');
    expect(po3).to.deep.include({ gas: 'CO2e' });
    expect(po3['kgCo2e']).to.be.closeTo(5, 1e-9);
    const day = await withE.carbon.day('2026-11-25');
    expect(day.gas).to.equal('CO2 and CO2e');
  });
});
