import { expect } from 'chai';
import { createAckFloor } from '../../src/adapters/devices/ackFloor';

type Msg = { seq: number; copy?: number };
const floorOf = () => createAckFloor<Msg>((m) => m.seq);
const delivered = (floor: ReturnType<typeof floorOf>, ...seqs: number[]): Msg[] =>
  seqs.map((seq) => {
    const m = { seq };
    expect(floor.deliver(m), `delivery of ${seq}`).to.equal(true);
    return m;
  });

describe('device acknowledgement by floor (AckPolicy.All)', () => {
  it('acknowledges nothing until the oldest message delivered is settled, then the newest of the settled run', () => {
    const floor = floorOf();
    const [m1, m2, m3, m4] = delivered(floor, 1, 2, 3, 4) as [Msg, Msg, Msg, Msg];
    expect(floor.settle(m3), 'settled above an unsettled one').to.equal(undefined);
    expect(floor.settle(m2)).to.equal(undefined);
    expect(floor.size).to.equal(4);
    expect(floor.settle(m1), 'the run 1..3 settled').to.equal(m3);
    expect(floor.size).to.equal(1);
    expect(floor.settle(m4)).to.equal(m4);
    expect(floor.size).to.equal(0);
  });

  it('follows gaps in stream sequences (messages deleted, or another subject)', () => {
    const floor = floorOf();
    const [m5, m9] = delivered(floor, 5, 9) as [Msg, Msg];
    expect(floor.settle(m9)).to.equal(undefined);
    expect(floor.settle(m5)).to.equal(m9);
  });

  it('refuses a redelivery of a message taken in (held, or settled above the floor), and of one below the floor', () => {
    const floor = floorOf();
    const [m1, m2] = delivered(floor, 1, 2) as [Msg, Msg];
    expect(floor.deliver({ seq: 2, copy: 2 }), 'held, not settled').to.equal(false);
    floor.settle(m2);
    expect(floor.deliver({ seq: 2, copy: 2 }), 'settled, the floor below it').to.equal(false);
    expect(floor.settle(m1)).to.equal(m2);
    expect(floor.deliver({ seq: 1, copy: 2 }), 'below the floor').to.equal(false);
  });

  it('takes in a redelivery of a message whose handling failed, and settles it then', () => {
    const floor = floorOf();
    const first = { seq: 1 };
    expect(floor.deliver(first)).to.equal(true);
    floor.failed(first);
    const [m2] = delivered(floor, 2) as [Msg];
    floor.settle(m2);
    const again = { seq: 1, copy: 2 };
    expect(floor.deliver(again)).to.equal(true);
    expect(floor.deliver({ seq: 1, copy: 3 }), 'taken in now').to.equal(false);
    expect(floor.settle(again)).to.equal(m2);
  });

  it('keeps its order over many messages settled out of order', () => {
    const floor = floorOf();
    const all = delivered(floor, ...Array.from({ length: 20_000 }, (_, i) => i + 1));
    // every even one first, then the odd ones: the floor moves only with the odd ones
    for (const m of all.filter((m) => m.seq % 2 === 0)) expect(floor.settle(m)).to.equal(undefined);
    let last: Msg | undefined;
    for (const m of all.filter((m) => m.seq % 2 === 1)) last = floor.settle(m) ?? last;
    expect(last?.seq).to.equal(20_000);
    expect(floor.size).to.equal(0);
  });
});
