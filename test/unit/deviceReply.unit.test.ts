import { expect } from 'chai';
import type { JsMsg } from 'nats';
import { deliveryOf, payloadOf, replyOf } from '../../src/adapters/devices/deviceConsumer';

/** A delivery as nats.js hands it over: its reply subject, `info` (read only when the subject cannot be), a payload. */
const delivery = (reply: unknown, info = { streamSequence: -1, pending: -1 }): JsMsg =>
  ({ reply, info, data: new Uint8Array(0) }) as unknown as JsMsg;
const numbers = (m: JsMsg) => {
  const { sequence, pending } = deliveryOf(m);
  return [sequence, pending];
};

describe('device deliveries read from their reply subjects', () => {
  it('reads the stream sequence and the messages pending from the form with domain and account hash', () => {
    const m = delivery('$JS.ACK._.ACCOUNTHASH.DEVICES.backbone-ingest.1.123456.1000.1732950000000000000.78901.x9Yz');
    expect(numbers(m)).to.deep.equal([123_456, 78_901]);
    // what is kept of it while in flight: its subject and payload, and where its acknowledgement goes
    const data = new TextEncoder().encode('{"kWh":1}');
    const kept = deliveryOf({ ...m, subject: 'devices.s.M1.energy', data });
    expect(kept.subject).to.equal('devices.s.M1.energy');
    expect(payloadOf(kept)).to.deep.equal(data);
    expect(replyOf(kept)).to.equal(
      '$JS.ACK._.ACCOUNTHASH.DEVICES.backbone-ingest.1.123456.1000.1732950000000000000.78901.x9Yz',
    );
    const without = delivery('$JS.ACK.hub.ACCOUNTHASH.DEVICES.backbone-ingest.2.7.3.1732950000000000000.0');
    expect(numbers(without)).to.deep.equal([7, 0]);
  });

  it('reads the older form without domain and account hash', () => {
    expect(numbers(delivery('$JS.ACK.DEVICES.backbone-ingest.1.42.40.1732950000000000000.5'))).to.deep.equal([42, 5]);
  });

  it('reads the bytes nats.js received, when it keeps them undecoded', () => {
    const reply = new TextEncoder().encode('$JS.ACK._.H.DEVICES.backbone-ingest.1.31.30.1732950000000000000.1200.tok');
    const m = { msg: { _msg: { reply } }, reply: 'not read', info: { streamSequence: -1, pending: -1 }, data: new Uint8Array(0) };
    expect(numbers(m as unknown as JsMsg)).to.deep.equal([31, 1_200]);
  });

  it('falls back to nats.js’s own reading for a subject of another form', () => {
    for (const reply of ['$JS.ACK.DEVICES.x.1.2', 'inbox.1.2.3.4.5.6.7.8', undefined, '$JS.ACK.A.B.1.z2.3.4.5'])
      expect(numbers(delivery(reply, { streamSequence: 9, pending: 3 })), String(reply)).to.deep.equal([9, 3]);
  });
});
