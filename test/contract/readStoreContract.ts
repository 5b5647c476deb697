import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Document, ReadStore } from '../../src/app/readStore';
import { ValidationError } from '../../src/domain/errors';
import { rejection } from '../support/assert';

const pos = (n: number): string => String(n).padStart(20, '0');

/** One contract for every read store: the SQLite default and MongoDB. */
export const readStoreContract = (label: string, open: () => Promise<ReadStore> | undefined): void => {
  // each call opens a new client on the same data, as another process would
  describe(`read store contract: ${label}`, function () {
    this.timeout(30_000);
    let store: ReadStore;
    let ns: string;
    const docs = (items: Document[]) => items.map((d) => d._id);

    before(async function () {
      const opened = open();
      if (!opened) return this.skip();
      store = await opened;
    });
    beforeEach(async () => {
      ns = `t${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      await store.ensure(ns, { items: { indexes: ['kind', 'rank'] } });
      const rows: Document[] = [
        { _id: 'a', kind: 'x', rank: 3, active: true, nested: { day: '2026-11-25' } },
        { _id: 'b', kind: 'y', rank: 1, active: false, nested: { day: '2026-11-24' } },
        { _id: 'c', kind: 'x', rank: 2, active: true, nested: { day: '2026-11-26' } },
        { _id: 'd', kind: 'x', rank: 5, active: null, nested: { day: '2026-11-25' } },
        { _id: 'e', kind: 'z', rank: 4, active: false, nested: { day: '2026-11-23' } },
      ].map((d) => ({ ...d, _pos: pos(1) }));
      await store.commit([
        {
          namespace: ns,
          writes: rows.map((doc) => ({ collection: 'items', id: doc._id, doc })),
          position: pos(1),
          events: 5,
        },
      ]);
    });
    after(async () => store?.close());

    it('gets a document by id, and nothing for an unknown id', async () => {
      expect(await store.get(ns, 'items', 'a')).to.deep.include({ _id: 'a', kind: 'x', rank: 3 });
      expect(await store.get(ns, 'items', 'nope')).to.equal(undefined);
    });

    it('finds with equality, comparisons, $in, $ne, null and nested fields', async () => {
      expect(docs((await store.find(ns, 'items', { filter: { kind: 'x' } })).items)).to.deep.equal(['a', 'c', 'd']);
      expect(docs((await store.find(ns, 'items', { filter: { rank: { $gte: 2, $lt: 5 } } })).items)).to.deep.equal([
        'a',
        'c',
        'e',
      ]);
      expect(docs((await store.find(ns, 'items', { filter: { kind: { $in: ['y', 'z'] } } })).items)).to.deep.equal([
        'b',
        'e',
      ]);
      expect(docs((await store.find(ns, 'items', { filter: { active: true } })).items)).to.deep.equal(['a', 'c']);
      expect(
        docs((await store.find(ns, 'items', { filter: { active: { $ne: null }, kind: { $ne: 'x' } } })).items),
      ).to.deep.equal(['b', 'e']);
      expect(docs((await store.find(ns, 'items', { filter: { 'nested.day': '2026-11-25' } })).items)).to.deep.equal([
        'a',
        'd',
      ]);
    });

    it('sorts by a field either way and pages with a cursor, ties broken by id', async () => {
      const first = await store.find(ns, 'items', { sort: { field: 'rank', direction: -1 }, limit: 2 });
      expect(docs(first.items)).to.deep.equal(['d', 'e']);
      const second = await store.find(ns, 'items', {
        sort: { field: 'rank', direction: -1 },
        limit: 2,
        cursor: first.nextCursor,
      });
      expect(docs(second.items)).to.deep.equal(['a', 'c']);
      const third = await store.find(ns, 'items', {
        sort: { field: 'rank', direction: -1 },
        limit: 2,
        cursor: second.nextCursor,
      });
      expect(docs(third.items)).to.deep.equal(['b']);
      expect(third.nextCursor).to.equal(undefined);
      const byKind = await store.find(ns, 'items', { sort: { field: 'kind', direction: 1 }, limit: 2 });
      const rest = await store.find(ns, 'items', {
        sort: { field: 'kind', direction: 1 },
        limit: 10,
        cursor: byKind.nextCursor,
      });
      expect([...docs(byKind.items), ...docs(rest.items)]).to.deep.equal(['a', 'c', 'd', 'b', 'e']);
    });

    it('pages through documents whose sort field is null or missing, either way, each document once', async () => {
      // active: a true, b false, c true, d null, e false; f has no `active` at all
      await store.commit([
        {
          namespace: ns,
          writes: [{ collection: 'items', id: 'f', doc: { _id: 'f', kind: 'x', _pos: pos(2) } }],
          position: pos(2),
          events: 1,
        },
      ]);
      const all = async (direction: 1 | -1): Promise<string[]> => {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 10; page += 1) {
          const answer = await store.find(ns, 'items', {
            sort: { field: 'active', direction },
            limit: 1,
            ...(cursor ? { cursor } : {}),
          });
          seen.push(...docs(answer.items));
          if (!answer.nextCursor) break;
          cursor = answer.nextCursor;
        }
        return seen;
      };
      const up = await all(1);
      // null and missing first, then false, then true (ties by id)
      expect(up).to.deep.equal(['d', 'f', 'b', 'e', 'a', 'c']);
      expect(await all(-1)).to.deep.equal([...up].reverse());
    });

    it('upserts and deletes in a commit, and keeps the checkpoint with them', async () => {
      await store.commit([
        {
          namespace: ns,
          writes: [
            { collection: 'items', id: 'a', doc: { _id: 'a', kind: 'x', rank: 30, _pos: pos(2) } },
            { collection: 'items', id: 'b', doc: null },
            { collection: 'items', id: 'f', doc: { _id: 'f', kind: 'y', rank: 6, _pos: pos(2) } },
          ],
          position: pos(2),
          events: 8,
        },
      ]);
      expect(await store.get(ns, 'items', 'a')).to.deep.include({ rank: 30 });
      expect(await store.get(ns, 'items', 'b')).to.equal(undefined);
      expect(await store.get(ns, 'items', 'f')).to.deep.include({ kind: 'y' });
      expect(await store.checkpoint(ns)).to.deep.include({ namespace: ns, position: pos(2), events: 8 });
    });

    it('answers queries from a store opened afresh on the same data', async () => {
      const other = (await open()) as ReadStore;
      expect(docs((await other.find(ns, 'items', { filter: { kind: 'x' } })).items)).to.deep.equal(['a', 'c', 'd']);
      expect(await other.get(ns, 'items', 'b')).to.deep.include({ kind: 'y' });
      await other.close();
    });

    it('switches the active namespace of a projection and drops a namespace', async () => {
      const name = `proj${randomUUID().slice(0, 6)}`;
      expect(await store.active(name)).to.equal(undefined);
      await store.activate(name, ns);
      expect(await store.active(name)).to.equal(ns);
      await store.drop(ns);
      expect(await store.checkpoint(ns)).to.equal(undefined);
      expect((await store.find(ns, 'items', {})).items).to.deep.equal([]);
    });

    it('refuses filter operators and fields it does not know, and a forged cursor', async () => {
      expect(await rejection(store.find(ns, 'items', { filter: { rank: { $where: '1' } } }))).to.be.instanceOf(
        ValidationError,
      );
      expect(await rejection(store.find(ns, 'items', { filter: { "x') OR 1=1 --": 1 } }))).to.be.instanceOf(
        ValidationError,
      );
      expect(await rejection(store.find(ns, 'items', { cursor: 'not-a-cursor' }))).to.be.instanceOf(ValidationError);
    });

    it('refuses a cursor a client crafted or altered: an object where a value goes, or one without its signature', async () => {
      const page = await store.find(ns, 'items', { sort: { field: 'rank', direction: 1 }, limit: 1 });
      const given = page.nextCursor as string;
      const [payload] = given.split('.');
      const crafted = Buffer.from(JSON.stringify([{ $gt: '' }, 'x'])).toString('base64url');
      const unsigned = Buffer.from(JSON.stringify([0, 'x'])).toString('base64url');
      for (const cursor of [
        crafted,
        unsigned,
        `${unsigned}.${given.split('.')[1]}`,
        `${payload}.AAAAAAAAAAAAAAAAAAAAAA`,
      ]) {
        const refused = await rejection(
          store.find(ns, 'items', { sort: { field: 'rank', direction: 1 }, limit: 1, cursor }),
        );
        expect(refused, cursor).to.be.instanceOf(ValidationError);
      }
      // the cursor it gave out still pages
      expect(
        (await store.find(ns, 'items', { sort: { field: 'rank', direction: 1 }, limit: 1, cursor: given })).items,
      ).to.have.length(1);
    });
  });
};
