import { expect } from 'chai';
import { computeEventHash, GENESIS_HASH, verifyChain, verifyStoredText } from '../../src/adapters/eventstore/hashChain';
import { sealedMetadata, type SealedEvent } from '../../src/adapters/eventstore/eventCodec';
import type { RecordedEvent } from '../../src/app/eventStore';
import { ValidationError } from '../../src/domain/errors';
import { canonicalJson } from '../../src/lib/canonicalJson';
import { counted, createTestCodec, meta } from '../support/events';

describe('event codec: preparing an append', () => {
  const codec = createTestCodec();
  const refusal = (run: () => unknown): ValidationError => {
    try {
      run();
    } catch (error) {
      expect(error).to.be.instanceOf(ValidationError);
      return error as ValidationError;
    }
    throw new Error('should refuse');
  };

  it('names every problem of the failing event under its place in the append', () => {
    const bad = { ...counted(1), id: 'abc', metadata: { ...meta(), occurredAt: '2026-02-30T08:00:00Z' } };
    const error = refusal(() => codec.prepare('s-1', [counted(0), bad]));
    expect(error.message).to.match(/^event is invalid: \/events\/1\//);
    expect(error.problems).to.have.deep.members([
      {
        path: '/events/1/id',
        message: 'must match pattern "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"',
      },
      { path: '/events/1/metadata/occurredAt', message: 'must match format "date-time"' },
    ]);
  });

  it('names the failing data fields of the event’s schema version', () => {
    const error = refusal(() => codec.prepare('s-1', [counted(0), { ...counted(1), data: { n: -1, colour: 'red' } }]));
    expect(error.message).to.equal('event TestCounted is invalid: /events/1/data/colour is not allowed');
    expect(error.problems).to.deep.equal([
      { path: '/events/1/data/colour', message: 'is not allowed' },
      { path: '/events/1/data/n', message: 'must be >= 0' },
    ]);
  });

  it('refuses an id repeated within one append, and settles the schema version', () => {
    const event = counted(0);
    expect(refusal(() => codec.prepare('s-1', [event, event])).problems).to.deep.equal([
      { path: '/events/1/id', message: 'is repeated' },
    ]);
    expect(codec.prepare('s-1', [event])[0]?.metadata.schemaVersion).to.equal(1);
  });
});

describe('event codec: sealing prepared events into a stream’s chain', () => {
  const codec = createTestCodec();
  const STREAM = 'lot-7.a:b@c';
  // metadata with and without the optional members, members sorting before and after prevHash, text to escape
  const events = [
    counted(0),
    {
      ...counted(1, { note: 'quote " backslash \\ tab \t emoji 😀 lone \ud83d' }),
      metadata: meta({ actor: 'op "7"' }),
    },
    {
      ...counted(2, { batch: 'B-1' }),
      metadata: meta({
        inputId: 'scan-9',
        receivedAt: '2026-11-25T00:00:01Z',
        clientRequestId: 'r\n1',
        schemaVersion: 1,
      }),
    },
    {
      ...counted(3),
      metadata: {
        source: 'pda' as const,
        causationId: 'c',
        correlationId: 'k',
        actor: 'a',
        occurredAt: '2026-11-25T08:00:00Z',
      },
    },
  ];
  const asRecorded = (sealed: SealedEvent[]): RecordedEvent[] =>
    sealed.map((event, revision) => ({
      id: event.id,
      type: event.type,
      data: JSON.parse(event.dataJson) as Record<string, unknown>,
      metadata: JSON.parse(event.metadataJson) as RecordedEvent['metadata'],
      streamId: STREAM,
      revision,
      position: String(revision + 1).padStart(20, '0'),
      recordedAt: '2026-11-25T00:00:00.000Z',
    }));

  it('stores the canonical text of data and metadata, and chains each hash as the documented formula does', () => {
    const sealed = [
      ...codec.seal(STREAM, codec.prepare(STREAM, events.slice(0, 2)), 0, GENESIS_HASH),
      ...codec.seal(STREAM, codec.prepare(STREAM, events.slice(2)), 2, 'f'.repeat(64)),
    ];
    const recorded = asRecorded(sealed);
    let prevHash = GENESIS_HASH;
    for (const [revision, event] of sealed.entries()) {
      const { hash, ...unsealed } = sealedMetadata(event);
      if (revision === 2) prevHash = 'f'.repeat(64);
      expect(unsealed.prevHash).to.equal(prevHash);
      expect(event.dataJson).to.equal(canonicalJson(events[revision]?.data));
      expect(event.metadataJson).to.equal(`${canonicalJson(unsealed).slice(0, -1)},"hash":"${hash}"}`);
      expect(recorded[revision]?.metadata).to.deep.equal(sealedMetadata(event));
      expect(hash).to.equal(computeEventHash({ ...event, streamId: STREAM, revision, metadata: unsealed }));
      prevHash = hash;
    }
    const chained = asRecorded(codec.seal(STREAM, codec.prepare(STREAM, events), 0, GENESIS_HASH));
    expect(verifyChain(STREAM, chained).ok).to.equal(true);
    const rows = codec.seal(STREAM, codec.prepare(STREAM, events), 0, GENESIS_HASH);
    const text = (event: SealedEvent) => ({ ...event, streamId: STREAM, revision: rows.indexOf(event) });
    expect(verifyStoredText(STREAM, rows, text, () => ({}) as RecordedEvent).ok).to.equal(true);
  });

  it('stores what was handed in, not a later change to the caller’s objects', () => {
    const event = counted(5);
    const [prepared] = codec.prepare(STREAM, [event]);
    event.data['n'] = 6;
    event.metadata.actor = 'someone else';
    const [sealed] = codec.seal(STREAM, prepared ? [prepared] : [], 0, GENESIS_HASH);
    expect(JSON.parse(sealed?.dataJson ?? '')).to.deep.equal({ n: 5 });
    expect(JSON.parse(sealed?.metadataJson ?? '')).to.include({ actor: 'tester' });
  });
});
