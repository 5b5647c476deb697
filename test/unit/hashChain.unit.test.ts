import { expect } from 'chai';
import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson } from '../../src/lib/canonicalJson';
import type { RecordedEvent } from '../../src/app/eventStore';
import { computeEventHash, GENESIS_HASH, verifyChain } from '../../src/adapters/eventstore/hashChain';

const STREAM = 'order-42';

/** A well-formed chain of `count` events, built the way a store seals them. */
const chain = (count: number): RecordedEvent[] => {
  let prevHash = GENESIS_HASH;
  return Array.from({ length: count }, (_, revision) => {
    const base = {
      id: randomUUID(),
      type: 'TestCounted',
      data: { n: revision },
      streamId: STREAM,
      revision,
      position: String(revision + 1).padStart(20, '0'),
      recordedAt: '2026-11-25T00:00:00.000Z',
    };
    const metadata = {
      occurredAt: '2026-11-25T08:00:00+08:00',
      actor: 'op-7',
      source: 'pda' as const,
      correlationId: 'c',
      causationId: 'c',
      schemaVersion: 1,
      prevHash,
    };
    const hash = computeEventHash({ ...base, metadata });
    prevHash = hash;
    return { ...base, metadata: { ...metadata, hash } };
  });
};

const rehash = (event: RecordedEvent): RecordedEvent => {
  const { hash: _old, ...metadata } = event.metadata;
  return { ...event, metadata: { ...metadata, hash: computeEventHash({ ...event, metadata }) } };
};

describe('hash chain verification', () => {
  it('accepts an intact chain and reports its head', () => {
    const events = chain(4);
    expect(verifyChain(STREAM, events)).to.deep.equal({
      ok: true,
      streamId: STREAM,
      events: 4,
      headHash: events[3]?.metadata.hash,
    });
  });

  it('is sha256 of prevHash and the canonical JSON of the whole event, as documented', () => {
    const [event] = chain(1) as [RecordedEvent];
    const { hash, ...metadata } = event.metadata;
    const { streamId, revision, id, type, data } = event;
    const text = canonicalJson({ streamId, revision, id, type, data, metadata });
    expect(
      createHash('sha256')
        .update(GENESIS_HASH + text)
        .digest('hex'),
    ).to.equal(hash);
  });

  it('depends on every part of the event: id, type, data, revision, stream and metadata', () => {
    const [event] = chain(1) as [RecordedEvent];
    const { hash, ...metadata } = event.metadata;
    const variants = [
      { ...event, id: randomUUID() },
      { ...event, type: 'Other' },
      { ...event, data: { n: 1 } },
      { ...event, revision: 1 },
      { ...event, streamId: 'order-43' },
      { ...event, metadata: { ...event.metadata, actor: 'op-8' } },
    ];
    for (const variant of variants) {
      expect(computeEventHash({ ...variant, metadata: { ...metadata, actor: variant.metadata.actor } })).not.to.equal(
        hash,
      );
    }
  });

  it('names an altered event', () => {
    const events = chain(5);
    events[3] = { ...(events[3] as RecordedEvent), data: { n: 300 } };
    const result = verifyChain(STREAM, events);
    expect(!result.ok && result.break).to.include({ revision: 3, reason: 'altered', eventId: events[3]?.id });
  });

  it('names an event that was altered and rehashed, by the broken link after it', () => {
    const events = chain(5);
    events[1] = rehash({ ...(events[1] as RecordedEvent), data: { n: 100 } });
    const result = verifyChain(STREAM, events);
    expect(!result.ok && result.break).to.include({ revision: 1, reason: 'altered' });
  });

  it('names a removed event and a reordered pair', () => {
    const removed = chain(5).filter((e) => e.revision !== 2);
    expect(verifyChain(STREAM, removed)).to.deep.include({ ok: false });
    expect((verifyChain(STREAM, removed) as { break: object }).break).to.include({ revision: 2, reason: 'removed' });
    const swapped = chain(5);
    [swapped[1], swapped[2]] = [swapped[2] as RecordedEvent, swapped[1] as RecordedEvent];
    expect((verifyChain(STREAM, swapped) as { break: object }).break).to.include({ revision: 1, reason: 'reordered' });
  });
});
