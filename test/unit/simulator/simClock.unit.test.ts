import { expect } from 'chai';
import { createSimClock } from '../../../src/simulator/simClock';

describe('The demo’s simulated clock', () => {
  it('runs at the wall clock’s pace until accelerated, and a run of the past never passes the wall clock', () => {
    const hourAgo = Date.now() - 3_600_000;
    const set = createSimClock(new Date(hourAgo), 1);
    // a slow set-up (a second here) costs a second of the plant's time, not factor times as much
    expect(set.now().getTime() - hourAgo).to.be.below(1000);
    const past = createSimClock(new Date(hourAgo), 1, { wallClockAtMost: true });
    past.accelerate(1e9);
    const before = Date.now();
    for (let at = past.now().getTime(); at < before; at = past.now().getTime());
    const at = past.now().getTime();
    expect(at).to.be.at.least(before);
    expect(at).to.be.at.most(Date.now());
  });
});
