import { expect } from 'chai';
import { createSimClock } from '../../../src/simulator/simClock';

describe('The demo’s simulated clock', () => {
  it('runs factor times the wall clock but never past where the simulation has got, and never goes back', () => {
    const start = Date.parse('2026-11-30T00:00:00Z');
    // a million times the wall clock: a few ms would be hours, as on a machine too busy to keep up
    const clock = createSimClock(new Date(start), 1e6, start + 60_000);
    for (let t = clock.now().getTime(); t < start + 60_000; t = clock.now().getTime());
    expect(clock.now().getTime(), 'held at the limit').to.equal(start + 60_000);
    clock.limit(start + 120_000);
    for (let t = clock.now().getTime(); t < start + 120_000; t = clock.now().getTime());
    expect(clock.now().getTime()).to.equal(start + 120_000);
    clock.limit(start + 30_000);
    expect(clock.now().getTime(), 'a lower limit does not take time back').to.equal(start + 120_000);
    clock.realTime();
    const before = clock.now().getTime();
    expect(before).to.be.at.least(start + 120_000);
    expect(clock.now().getTime() - before, 'then at the wall clock’s pace').to.be.below(1000);
  });
});
