import { expect } from 'chai';
import type { Document } from '../../src/app/readStore';
import { walkGenealogy, withoutStorageFields, type LoadMany } from '../../src/projections/genealogyQueries';

type Entry = { lotId: string; quantity: number; unit: string };
type Issue = { orderId: string; quantity: number; unit: string };
type Shipment = { shipmentId: string; customer: string; quantity: number; unit: string; shippedAt: string };

type Docs = { lots: Map<string, Document>; orders: Map<string, Document> };

/** The walk as it was, one read per lot and per order: the answer a level-at-a-time walk must give. */
const walkOneByOne = async (docs: Docs, lotId: string, direction: 'backward' | 'forward') => {
  const lots: Record<string, unknown>[] = [];
  const links = new Map<string, { from: string; to: string; kind: string; quantity: number; unit: string | null }>();
  const customers: unknown[] = [];
  const link = (from: string, to: string, kind: string, quantity: number, unit: string | null) => {
    const key = `${from}|${to}|${kind}`;
    const known = links.get(key);
    links.set(key, known ? { ...known, quantity: known.quantity + quantity } : { from, to, kind, quantity, unit });
  };
  const seen = new Set<string>();
  const ordersSeen = new Set<string>();
  const queue = [lotId];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const lot = docs.lots.get(id);
    if (!lot) continue;
    lots.push(withoutStorageFields(lot));
    if (direction === 'backward') {
      const orderId = lot['producedBy'] as string | null;
      if (!orderId) continue;
      link(`order:${orderId}`, `lot:${id}`, 'produced', lot['quantity'] as number, lot['unit'] as string | null);
      if (ordersSeen.has(orderId)) continue;
      ordersSeen.add(orderId);
      for (const input of (docs.orders.get(orderId)?.['inputs'] as Entry[] | undefined) ?? []) {
        link(`lot:${input.lotId}`, `order:${orderId}`, 'issued', input.quantity, input.unit);
        queue.push(input.lotId);
      }
    } else {
      for (const issue of (lot['issuedTo'] as Issue[] | undefined) ?? []) {
        const { orderId } = issue;
        link(`lot:${id}`, `order:${orderId}`, 'issued', issue.quantity, issue.unit);
        if (ordersSeen.has(orderId)) continue;
        ordersSeen.add(orderId);
        for (const output of (docs.orders.get(orderId)?.['outputs'] as Entry[] | undefined) ?? []) {
          link(`order:${orderId}`, `lot:${output.lotId}`, 'produced', output.quantity, output.unit);
          queue.push(output.lotId);
        }
      }
      for (const s of (lot['shipments'] as Shipment[] | undefined) ?? []) {
        link(`lot:${id}`, `customer:${s.customer}`, 'shipped', s.quantity, s.unit);
        const { customer, shipmentId, quantity, unit, shippedAt } = s;
        customers.push({ customer, lotId: id, shipmentId, quantity, unit, shippedAt });
      }
    }
  }
  return { lotId, direction, lots, links: [...links.values()], ...(direction === 'forward' ? { customers } : {}) };
};

/** A small deterministic PRNG, so a failing plant can be made again. */
const random = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

/** A plant of orders consuming earlier lots and producing new ones: diamonds, shared inputs, lots nobody recorded. */
const plant = (seed: number): Docs => {
  const next = random(seed);
  const lots = new Map<string, Document>();
  const orders = new Map<string, Document>();
  const lot = (id: string, producedBy: string | null): Document => ({
    _id: id,
    _pos: '1',
    lotId: id,
    producedBy,
    quantity: 10,
    unit: 'pcs',
    issuedTo: [],
    shipments: [],
  });
  for (let r = 0; r < 5; r += 1) lots.set(`R${r}`, lot(`R${r}`, null));
  for (let o = 0; o < 40; o += 1) {
    const orderId = `O${o}`;
    const known = [...lots.keys()];
    const inputs = [
      ...new Set(
        Array.from({ length: 1 + Math.floor(next() * 3) }, () => known[Math.floor(next() * known.length)] as string),
      ),
    ];
    const outputs = Array.from({ length: 1 + Math.floor(next() * 2) }, (_, i) => `L${o}-${i}`);
    for (const input of inputs) {
      const doc = lots.get(input) as Document;
      (doc['issuedTo'] as Issue[]).push({ orderId, quantity: 2, unit: 'pcs' });
    }
    // now and then an input lot the genealogy never recorded
    if (next() < 0.1) inputs.push(`GHOST-${o}`);
    for (const output of outputs) lots.set(output, lot(output, orderId));
    if (next() < 0.2)
      ((lots.get(outputs[0] as string) as Document)['shipments'] as Shipment[]).push({
        shipmentId: `S${o}`,
        customer: `C${o % 3}`,
        quantity: 5,
        unit: 'pcs',
        shippedAt: '2026-11-25T00:00:00.000Z',
      });
    orders.set(orderId, {
      _id: orderId,
      orderId,
      inputs: inputs.map((lotId) => ({ lotId, quantity: 2, unit: 'pcs' })),
      outputs: outputs.map((lotId) => ({ lotId, quantity: 10, unit: 'pcs' })),
    });
  }
  return { lots, orders };
};

/** Loads from the plant, counting the reads. */
const loader = (docs: Docs) => {
  const reads: number[] = [];
  const load: LoadMany = async (collection, ids) => {
    reads.push(ids.length);
    return new Map(ids.flatMap((id) => (docs[collection].has(id) ? [[id, docs[collection].get(id) as Document]] : [])));
  };
  return { load, reads };
};

describe('genealogy walked a level at a time', () => {
  it('answers as the walk one document at a time, backward and forward, on random plants', async () => {
    for (let seed = 1; seed <= 30; seed += 1) {
      const docs = plant(seed);
      for (const lotId of ['R0', 'R3', 'L39-0', 'L20-0', 'L5-1', 'NOPE']) {
        for (const direction of ['backward', 'forward'] as const) {
          const expected = await walkOneByOne(docs, lotId, direction).then((answer) =>
            answer.lots.length === 0 ? 'not found' : answer,
          );
          const actual = await walkGenealogy(loader(docs).load, lotId, direction).catch(() => 'not found');
          expect(actual, `seed ${seed}, ${direction} from ${lotId}`).to.deep.equal(expected);
        }
      }
    }
  });

  it('reads each level’s lots together and their orders together, however wide', async () => {
    // one raw lot into 30 orders, each making 4 lots, each of those into one more order
    const lots = new Map<string, Document>();
    const orders = new Map<string, Document>();
    const issued = (orderId: string) => ({ orderId, quantity: 1, unit: 'kg' });
    lots.set('RAW', {
      _id: 'RAW',
      lotId: 'RAW',
      producedBy: null,
      issuedTo: Array.from({ length: 30 }, (_, o) => issued(`A${o}`)),
    });
    for (let o = 0; o < 30; o += 1) {
      const outputs = Array.from({ length: 4 }, (_, i) => `A${o}-${i}`);
      orders.set(`A${o}`, {
        _id: `A${o}`,
        inputs: [],
        outputs: outputs.map((lotId) => ({ lotId, quantity: 1, unit: 'pcs' })),
      });
      for (const output of outputs)
        lots.set(output, { _id: output, lotId: output, producedBy: `A${o}`, issuedTo: [issued(`B${output}`)] });
    }
    const { load, reads } = loader({ lots, orders });
    const answer = await walkGenealogy(load, 'RAW', 'forward');
    expect(answer.lots).to.have.length(121);
    // lots: RAW, then 120 together; orders: 30 together, then the 120 B orders together (none recorded)
    expect(reads).to.deep.equal([1, 30, 120, 120]);
  });
});
