import { expect } from 'chai';
import { IllegalStateError, NotFoundError, ValidationError } from '../../../src/domain/errors';
import {
  checkReasonCode,
  inForce,
  productDecider,
  reasonCodesAt,
  reasonCodesDecider,
  routingDecider,
  inspectionPlanDecider,
  type ProductEvent,
  type ProductRecord,
  type ReasonCodeEvent,
  type RoutingRecord,
} from '../../../src/domain/masterData';
import { fold } from '../../../src/domain/messages';
import { meta, NOW, specFor } from '../../support/given';

const m = meta({ actor: 'planner-1' });
const motor: ProductRecord = { names: { 'zh-CN': '三相异步电机 7.5kW', en: 'Induction motor 7.5 kW' }, unit: '台' };
const renamed: ProductRecord = { ...motor, names: { 'zh-CN': '三相异步电动机 7.5kW', en: 'Induction motor 7.5 kW' } };
const defined: ProductEvent = {
  type: 'ProductDefined',
  data: { code: 'YE3-132M', version: 1, effectiveFrom: NOW, record: motor },
};
const product = specFor(productDecider);

describe('master data: versioned records', () => {
  it('defines a product with Chinese and English names as version 1, effective now by default', () =>
    product
      .given([])
      .when({ type: 'DefineProduct', data: { code: 'YE3-132M', record: motor }, meta: m })
      .then([defined]));

  it('writes nothing for the same definition again (a re-import), and refuses another one for the same code', () => {
    product
      .given([defined])
      .when({ type: 'DefineProduct', data: { code: 'YE3-132M', record: motor }, meta: m })
      .then([]);
    product
      .given([defined])
      .when({ type: 'DefineProduct', data: { code: 'YE3-132M', record: renamed }, meta: m })
      .thenThrows(IllegalStateError, 'product-exists');
  });

  it('revises with the next version from its effective date, and writes nothing when the content is already in force', () => {
    product
      .given([defined])
      .when({
        type: 'ReviseProduct',
        data: { code: 'YE3-132M', effectiveFrom: '2026-12-01T00:00:00+08:00', record: renamed },
        meta: m,
      })
      .then([
        {
          type: 'ProductRevised',
          data: { code: 'YE3-132M', version: 2, effectiveFrom: '2026-12-01T00:00:00+08:00', record: renamed },
        },
      ]);
    product
      .given([defined])
      .when({ type: 'ReviseProduct', data: { code: 'YE3-132M', record: motor }, meta: m })
      .then([]);
    product
      .given([])
      .when({ type: 'ReviseProduct', data: { code: 'NOPE', record: motor }, meta: m })
      .thenThrows(NotFoundError);
  });

  it('answers the version in force at any instant, and whether it is active then', () => {
    const events: ProductEvent[] = [
      defined,
      {
        type: 'ProductRevised',
        data: { code: 'YE3-132M', version: 2, effectiveFrom: '2026-12-01T00:00:00Z', record: renamed },
      },
      { type: 'ProductDeactivated', data: { code: 'YE3-132M', effectiveFrom: '2027-01-01T00:00:00Z' } },
    ];
    const state = fold(productDecider, events);
    if (state.status !== 'Defined') throw new Error('not defined');
    expect(inForce(state.timeline, '2026-11-24T00:00:00Z'), 'before the first version').to.equal(undefined);
    expect(inForce(state.timeline, '2026-11-30T00:00:00Z')).to.include({ version: 1, active: true });
    expect(inForce(state.timeline, '2026-12-15T08:00:00+08:00')).to.deep.include({ version: 2, record: renamed });
    expect(inForce(state.timeline, '2027-02-01T00:00:00Z')).to.include({
      version: 2,
      active: false,
      since: '2027-01-01T00:00:00Z',
    });
    // a revision after the deactivation brings the product back
    const back = productDecider.decide(
      {
        type: 'ReviseProduct',
        data: { code: 'YE3-132M', effectiveFrom: '2027-03-01T00:00:00Z', record: motor },
        meta: m,
      },
      state,
    );
    const again = back.reduce(productDecider.evolve, state);
    if (again.status !== 'Defined') throw new Error('not defined');
    expect(inForce(again.timeline, '2027-03-02T00:00:00Z')).to.include({ version: 3, active: true });
    expect(inForce(again.timeline, '2027-02-01T00:00:00Z')).to.include({ active: false });
  });

  it('deactivates once; a second deactivation writes nothing', () => {
    const gone: ProductEvent = { type: 'ProductDeactivated', data: { code: 'YE3-132M', effectiveFrom: NOW } };
    product
      .given([defined])
      .when({ type: 'DeactivateProduct', data: { code: 'YE3-132M' }, meta: m })
      .then([gone]);
    product
      .given([defined, gone])
      .when({ type: 'DeactivateProduct', data: { code: 'YE3-132M' }, meta: m })
      .then([]);
  });

  it('refuses a routing that repeats an operation, naming where', () => {
    const step = {
      operationId: '010',
      code: 'TURN',
      workCenter: 'WC-TURN',
      standardMinutesPerUnit: 2,
      setupMinutes: 15,
      inspectionRequired: false,
    };
    const record: RoutingRecord = { operations: [step, { ...step, alternativeWorkCenters: ['WC-TURN'] }] };
    let thrown: unknown;
    try {
      routingDecider.decide(
        { type: 'DefineRouting', data: { code: 'YE3-132M', record }, meta: m },
        { status: 'Initial' },
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(ValidationError);
    expect((thrown as ValidationError).problems.map((p) => p.path)).to.deep.equal([
      '/operations/1/operationId',
      '/operations/1/alternativeWorkCenters/0',
    ]);
  });

  it('refuses an inspection plan whose limits are upside down or whose nominal is outside them', () => {
    const plan = specFor(inspectionPlanDecider);
    plan
      .given([])
      .when({
        type: 'DefineInspectionPlan',
        data: {
          code: 'YE3-132M',
          record: {
            operations: [
              {
                operationId: '010',
                sampleSize: 5,
                characteristics: [{ name: 'OD', kind: 'measured', lower: 20.1, upper: 19.9, unit: 'mm' }],
              },
            ],
          },
        },
        meta: m,
      })
      .thenThrows(ValidationError);
  });
});

describe('master data: reason codes', () => {
  const table = specFor(reasonCodesDecider);
  const jam: ReasonCodeEvent = {
    type: 'ReasonCodeDefined',
    data: { kind: 'downtime', code: 'jam', version: 1, effectiveFrom: NOW, record: { names: { 'zh-CN': '卡料' } } },
  };

  it('accepts any code of a kind the plant has not defined, as before master data', () => {
    expect(checkReasonCode({ status: 'Initial' }, 'downtime', 'SPINDLE', NOW)).to.equal('accepted');
  });

  it('once the plant defines codes of a kind, accepts its codes and the built-in ones, and names the others', () => {
    table
      .given([])
      .when({ type: 'DefineReasonCode', data: { kind: 'downtime', code: 'jam', record: jam.data.record }, meta: m })
      .then([jam]);
    const state = fold(reasonCodesDecider, [jam]);
    expect(checkReasonCode(state, 'downtime', 'jam', NOW)).to.equal('accepted');
    expect(checkReasonCode(state, 'downtime', 'material-shortage', NOW)).to.equal('accepted');
    expect(checkReasonCode(state, 'downtime', 'SPINDLE', NOW)).to.equal('unknown');
    const gone = fold(reasonCodesDecider, [
      jam,
      { type: 'ReasonCodeDeactivated', data: { kind: 'downtime', code: 'jam', effectiveFrom: '2026-12-01T00:00:00Z' } },
    ]);
    expect(checkReasonCode(gone, 'downtime', 'jam', '2026-11-30T00:00:00Z')).to.equal('accepted');
    expect(checkReasonCode(gone, 'downtime', 'jam', '2026-12-02T00:00:00Z')).to.equal('inactive');
  });

  it('lists the built-in codes with zh-CN and en labels, the plant’s overriding one of the same code', () => {
    const override: ReasonCodeEvent = {
      type: 'ReasonCodeDefined',
      data: {
        kind: 'downtime',
        code: 'material-shortage',
        version: 1,
        effectiveFrom: NOW,
        record: { names: { 'zh-CN': '待料', en: 'Waiting for material' } },
      },
    };
    const views = reasonCodesAt(fold(reasonCodesDecider, [override]), 'downtime', NOW);
    expect(views.find((v) => v.code === 'material-shortage')).to.deep.include({
      names: { 'zh-CN': '待料', en: 'Waiting for material' },
      source: 'plant',
    });
    expect(views.find((v) => v.code === 'breakdown')).to.deep.include({
      names: { 'zh-CN': '设备故障', en: 'Breakdown' },
      source: 'builtin',
    });
  });
});
