import { expect } from 'chai';
import { readJsonPages, type EventStore, type ReadAllOptions, type RecordedEvent } from '../../src/app/eventStore';

const event = (n: number): RecordedEvent => ({
  id: `e-${n}`,
  type: 'TestCounted',
  data: { n, note: 'é "x"' },
  metadata: {
    occurredAt: '2026-11-25T08:00:00+08:00',
    actor: 'tester',
    source: 'system',
    correlationId: 'c',
    causationId: 'c',
    schemaVersion: 1,
    prevHash: '0'.repeat(64),
    hash: 'f'.repeat(64),
  },
  streamId: `test-${n % 2}`,
  revision: n,
  position: String(n).padStart(20, '0'),
  recordedAt: '2026-11-25T00:00:00.000Z',
});

describe('readJsonPages over a store without readAllJson', () => {
  it('gives readAll’s pages, each event as the JSON of id, type, streamId, revision, position, recordedAt, metadata, data', async () => {
    const log = Array.from({ length: 5 }, (_, i) => event(i + 1));
    const asked: Array<string | undefined> = [];
    const store = {
      readAll: async (options: ReadAllOptions = {}) => {
        asked.push(options.after);
        const from = options.after === undefined ? 0 : Number(options.after);
        const events = log.slice(from, from + (options.maxCount ?? 1000));
        const isEnd = from + events.length >= log.length;
        return { events, checkpoint: events.at(-1)?.position ?? options.after, isEnd };
      },
    } as unknown as EventStore;
    const pages = [];
    for await (const page of readJsonPages(store, { maxCount: 2 })) pages.push(page);
    expect(pages.map((p) => p.events.length)).to.deep.equal([2, 2, 1]);
    expect(asked).to.deep.equal([undefined, '00000000000000000002', '00000000000000000004']);
    const [first] = pages[0]?.events ?? [];
    const e = log[0] as RecordedEvent;
    expect(first).to.deep.equal({
      streamId: e.streamId,
      type: e.type,
      recordedAt: e.recordedAt,
      position: e.position,
      json: JSON.stringify({
        id: e.id,
        type: e.type,
        streamId: e.streamId,
        revision: e.revision,
        position: e.position,
        recordedAt: e.recordedAt,
        metadata: e.metadata,
        data: e.data,
      }),
    });
  });
});
