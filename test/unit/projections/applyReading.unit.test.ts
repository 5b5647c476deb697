import { expect } from 'chai';
import type { Document } from '../../../src/app/readStore';
import { applyReading, UNREAD, type ProjectionContext } from '../../../src/projections/runner';

/**
 * A context over a store in a map, with a cache `peek` answers from: documents the store holds are
 * UNREAD until `get` has read them (as the runner's bounded cache), unless `remembers` is false.
 */
const contextOver = (stored: Record<string, Document>, cached: string[], remembers = true) => {
  const cache = new Map<string, Document | null>(cached.map((id) => [id, stored[id] ?? null]));
  const reads: string[] = [];
  const writes: string[] = [];
  const ctx: ProjectionContext & { missing?: readonly [string, string] } = {
    event: {} as ProjectionContext['event'],
    peek(collection, id) {
      const doc = cache.get(id);
      if (doc !== undefined) return doc ?? undefined;
      ctx.missing = [collection, id];
      return UNREAD;
    },
    get(_collection, id) {
      reads.push(id);
      if (remembers) cache.set(id, stored[id] ?? null);
      return Promise.resolve(stored[id]);
    },
    update(_collection, id, change) {
      writes.push(id);
      const next = change(cache.get(id) ?? undefined);
      if (next) cache.set(id, next);
      return Promise.resolve();
    },
  };
  return { ctx, reads, writes };
};

/** Adds one to `total` of a and b, reading both first (the shape of the read models' frequent handlers). */
const addToBoth = (ctx: ProjectionContext) => (): void | typeof UNREAD => {
  const a = ctx.peek('counts', 'a');
  if (a === UNREAD) return UNREAD;
  const b = ctx.peek('counts', 'b');
  if (b === UNREAD) return UNREAD;
  for (const id of ['a', 'b'])
    void ctx.update('counts', id, (doc) => ({ _id: id, total: ((doc?.['total'] as number) ?? 0) + 1 }));
  return undefined;
};

describe('applyReading (projections read first, write after)', () => {
  const stored = { a: { _id: 'a', total: 5 }, b: { _id: 'b', total: 7 } };

  it('applies at once, without a promise, when every document is in memory', () => {
    const { ctx, reads, writes } = contextOver(stored, ['a', 'b']);
    expect(applyReading(ctx, addToBoth(ctx))).to.equal(undefined);
    expect(reads).to.deep.equal([]);
    expect(writes).to.deep.equal(['a', 'b']);
  });

  it('reads each document it lacks from the store, then applies once, having written nothing before', async () => {
    const { ctx, reads, writes } = contextOver(stored, []);
    await applyReading(ctx, addToBoth(ctx));
    expect(reads).to.deep.equal(['a', 'b']);
    expect(writes).to.deep.equal(['a', 'b']);
    expect(ctx.peek('counts', 'a')).to.deep.equal({ _id: 'a', total: 6 });
    expect(ctx.peek('counts', 'b')).to.deep.equal({ _id: 'b', total: 8 });
  });

  it('fails, rather than reading for ever, when peek does not see what get has read', async () => {
    const { ctx, writes } = contextOver(stored, [], false);
    let error: unknown;
    await Promise.resolve(applyReading(ctx, addToBoth(ctx))).catch((e: unknown) => (error = e));
    expect(String(error)).to.contain('peek does not see counts/a once read');
    expect(writes).to.deep.equal([]);
  });
});
