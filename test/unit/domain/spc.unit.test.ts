import { expect } from 'chai';
import {
  capability,
  individualsLimits,
  newViolations,
  subgroupLimits,
  type ControlLimits,
  type Rule,
} from '../../../src/domain/spc';

// a chart centred on 10 with σ = 1 (as if its limits were set from a baseline)
const chart: Pick<ControlLimits, 'center' | 'sigma'> = { center: 10, sigma: 1 };
/** The rules each point of a sequence breaks as it arrives: `index:rule` for every point. */
const asTheyArrive = (values: number[], rules?: Rule[]): string[] =>
  values.flatMap((_, i) => newViolations(values.slice(0, i + 1), chart, rules).map((v) => `${i}:${v.rule}`));

describe('SPC: control limits and capability', () => {
  it('sets I-MR limits from the moving range (σ = MR̄ / 1.128)', () => {
    const limits = individualsLimits([10, 12, 11, 13, 12]);
    // moving ranges 2, 1, 2, 1: MR̄ 1.5; mean 11.6
    expect(limits.center).to.be.closeTo(11.6, 1e-9);
    expect(limits.rangeCenter).to.be.closeTo(1.5, 1e-9);
    expect(limits.sigma).to.be.closeTo(1.5 / 1.128, 1e-9);
    expect(limits.ucl).to.be.closeTo(11.6 + (3 * 1.5) / 1.128, 1e-9);
    expect(limits.lcl).to.be.closeTo(11.6 - (3 * 1.5) / 1.128, 1e-9);
    expect(limits.rangeUcl).to.be.closeTo(3.267 * 1.5, 1e-9);
    expect(() => individualsLimits([1])).to.throw(RangeError);
  });
  it('sets X̄-R limits with A2, D3 and D4 of the subgroup size', () => {
    const limits = subgroupLimits([
      [10, 11, 12, 11, 10],
      [12, 11, 13, 12, 12],
    ]);
    // means 10.8 and 12, X̿ 11.4; ranges 2 and 2, R̄ 2; n = 5: A2 0.577, D4 2.114, d2 2.326
    expect(limits.center).to.be.closeTo(11.4, 1e-9);
    expect(limits.ucl).to.be.closeTo(11.4 + 0.577 * 2, 1e-9);
    expect(limits.rangeUcl).to.be.closeTo(2.114 * 2, 1e-9);
    expect(limits.rangeLcl).to.equal(0);
    expect(limits.sigmaWithin).to.be.closeTo(2 / 2.326, 1e-9);
    expect(limits.sigma).to.be.closeTo(2 / 2.326 / Math.sqrt(5), 1e-9);
    expect(() =>
      subgroupLimits([
        [1, 2],
        [1, 2, 3],
      ]),
    ).to.throw(RangeError);
  });
  it('gives Cp and Cpk against the specification, Cpk alone for a one-sided one', () => {
    const limits = { ...individualsLimits([10, 12, 11, 13, 12]), center: 10, sigmaWithin: 0.5 };
    // USL 12, LSL 7: Cp = 5 / 3 = 1.667; Cpk = min(2, 3) / 1.5 = 1.333
    const both = capability(limits, { lower: 7, upper: 12 });
    expect(both.cp).to.be.closeTo(5 / 3, 1e-9);
    expect(both.cpk).to.be.closeTo(2 / 1.5, 1e-9);
    expect(capability(limits, { upper: 12 })).to.deep.equal({ cpk: 2 / 1.5 });
    expect(capability({ ...limits, sigmaWithin: 0 }, { lower: 7, upper: 12 })).to.deep.equal({});
  });
});

describe('SPC: the Western Electric rules on each new point', () => {
  it('rule 1: a point beyond 3σ, either side', () => {
    expect(asTheyArrive([10, 10.5, 13.2, 9.5, 6.8], [1])).to.deep.equal(['2:1', '4:1']);
    // exactly 3σ is within
    expect(asTheyArrive([10, 13], [1])).to.deep.equal([]);
  });
  it('rule 2: two of three consecutive points beyond 2σ on the same side', () => {
    expect(asTheyArrive([10, 12.5, 10.2, 12.4], [2])).to.deep.equal(['3:2']);
    // on opposite sides: no signal
    expect(asTheyArrive([10, 12.5, 10.2, 7.5], [2])).to.deep.equal([]);
    expect(newViolations([10, 12.5, 10.2, 12.4], chart, [2])[0]?.points).to.deep.equal([1, 3]);
  });
  it('rule 3: four of five consecutive points beyond 1σ on the same side', () => {
    expect(asTheyArrive([10, 8.8, 8.5, 9.9, 8.7, 8.6], [3])).to.deep.equal(['5:3']);
    expect(asTheyArrive([10, 11.5, 11.2, 10.1, 11.4], [3])).to.deep.equal([]);
  });
  it('rule 4: eight in a row on one side of the centre, reported when the run forms', () => {
    const run = [9, 10.2, 10.4, 10.1, 10.6, 10.3, 10.2, 10.5, 10.1, 10.4];
    // the eighth point above the centre is index 8; the ninth continues the same run
    expect(asTheyArrive(run, [4])).to.deep.equal(['8:4']);
    expect(asTheyArrive([10.2, 10.4, 10.1, 9.9, 10.6, 10.3, 10.2, 10.5, 10.1], [4])).to.deep.equal([]);
  });
  it('runs only the rules a characteristic names, and names every rule a point breaks', () => {
    // this point is beyond 3σ and the second of three beyond 2σ
    const values = [10, 12.6, 10.1, 13.5];
    expect(newViolations(values, chart).map((v) => v.rule)).to.deep.equal([1, 2]);
    expect(newViolations(values, chart, [2]).map((v) => v.rule)).to.deep.equal([2]);
    expect(newViolations(values, { center: 10, sigma: 0 })).to.deep.equal([]);
  });
  it('catches drift before a specification limit is crossed: a slow rise signals while every part is in tolerance', () => {
    // specification 10 ± 4 (6σ wide); the process drifts upward by 0.15σ per part from the centre
    const drift = Array.from({ length: 20 }, (_, i) => 10 + 0.15 * i);
    const signals = asTheyArrive(drift);
    const first = Number(signals[0]?.split(':')[0]);
    expect(signals.length, 'the drift is signalled').to.be.greaterThan(0);
    expect(drift[first]).to.be.below(14);
    expect(
      drift.every((v) => v < 14),
      'every part within the specification',
    ).to.equal(true);
  });
});
