import { expect } from 'chai';
import { join } from 'node:path';
import { verifyChain } from '../../src/adapters/eventstore/hashChain';
import { createSqliteEventStore, type SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { toEvent, type Row } from '../../src/adapters/eventstore/sqlite/reads';
import { counted, createTestCodec, uniqueStream } from '../support/events';
import { makeTempDir } from '../support/tmp';

/** Longer than one page of the verification's reads (4,096 events), so breaks fall on either side of one. */
const EVENTS = 4_300;

describe('verifying a long stream page by page (SQLite)', function () {
  this.timeout(120_000);
  const temp = makeTempDir('mes-verify-');
  let store: SqliteEventStore;
  /** What verification answered before it read by pages: verifyChain over every row parsed, in the order written. */
  const reference = (streamId: string) =>
    verifyChain(
      streamId,
      store.db
        .prepare<[string], Row>('SELECT * FROM events WHERE stream_id = ? ORDER BY position')
        .all(streamId)
        .map(toEvent),
    );
  const written = async (): Promise<string> => {
    const stream = uniqueStream();
    for (let from = 0; from < EVENTS; from += 500)
      await store.append(
        stream,
        Array.from({ length: Math.min(500, EVENTS - from) }, (_, i) => counted(from + i)),
      );
    return stream;
  };
  const positionOf = (streamId: string, revision: number): number =>
    store.db
      .prepare<[string, number], { position: number }>(
        'SELECT position FROM events WHERE stream_id = ? AND revision = ?',
      )
      .get(streamId, revision)?.position as number;

  before(() => {
    store = createSqliteEventStore({ path: join(temp.dir, 'events.db'), codec: createTestCodec() });
  });
  after(async () => {
    await store.close();
    temp.remove();
  });

  it('finds an intact stream intact, with its head hash', async () => {
    const stream = await written();
    const result = await store.verifyStream(stream);
    expect(result).to.deep.equal(reference(stream));
    expect(result).to.deep.include({ ok: true, events: EVENTS });
  });

  it('names an event altered in the second page as before', async () => {
    const stream = await written();
    store.db.prepare('UPDATE events SET data = ? WHERE stream_id = ? AND revision = ?').run('{"n":1}', stream, 4_200);
    const result = await store.verifyStream(stream);
    expect(result).to.deep.equal(reference(stream));
    expect(result).to.deep.include({ ok: false });
    expect((result as { break: object }).break).to.include({ revision: 4_200, reason: 'altered' });
  });

  it('names the first event of the second page removed', async () => {
    const stream = await written();
    store.db.prepare('DELETE FROM events WHERE stream_id = ? AND revision = ?').run(stream, 4_096);
    const result = await store.verifyStream(stream);
    expect(result).to.deep.equal(reference(stream));
    expect((result as { break: object }).break).to.include({ revision: 4_096, reason: 'removed' });
  });

  it('names two events reordered across the pages’ boundary (positions swapped), which revision order alone hides', async () => {
    const stream = await written();
    const [a, b] = [positionOf(stream, 4_095), positionOf(stream, 4_096)];
    const move = store.db.prepare('UPDATE events SET position = ? WHERE position = ?');
    store.db.transaction(() => {
      move.run(-a, a);
      move.run(a, b);
      move.run(b, -a);
    })();
    const result = await store.verifyStream(stream);
    expect(result).to.deep.equal(reference(stream));
    expect((result as { break: object }).break).to.include({ revision: 4_095, reason: 'reordered' });
  });
});
