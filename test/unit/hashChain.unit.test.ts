import { expect } from 'chai';
import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson } from '../../src/lib/canonicalJson';
import type { RecordedEvent } from '../../src/app/eventStore';
import {
  computeEventHash,
  GENESIS_HASH,
  verifyChain,
  verifyStoredText,
  type StoredText,
} from '../../src/adapters/eventstore/hashChain';

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

  describe('over the text the SQLite log stores', () => {
    /** An event as the writer stores it: canonical data, canonical metadata with its hash member appended. */
    const asStored = (event: RecordedEvent): StoredText => {
      const { hash, ...unsealed } = event.metadata;
      return {
        streamId: event.streamId,
        revision: event.revision,
        id: event.id,
        type: event.type,
        dataJson: canonicalJson(event.data),
        metadataJson: `${canonicalJson(unsealed).slice(0, -1)},"hash":"${hash}"}`,
      };
    };
    const parse = (text: StoredText): RecordedEvent => ({
      id: text.id,
      type: text.type,
      data: JSON.parse(text.dataJson) as Record<string, unknown>,
      metadata: JSON.parse(text.metadataJson) as RecordedEvent['metadata'],
      streamId: text.streamId,
      revision: text.revision,
      position: String(text.revision + 1).padStart(20, '0'),
      recordedAt: '2026-11-25T00:00:00.000Z',
    });
    const verifyText = (texts: StoredText[]) => verifyStoredText(STREAM, texts, (t) => t, parse);

    it('answers as verifyChain for an intact chain, an altered, removed or reordered event, and a rechained one', () => {
      const events = chain(6);
      const texts = events.map(asStored);
      expect(verifyText(texts)).to.deep.equal(verifyChain(STREAM, events));
      expect(verifyText(texts).ok).to.equal(true);
      const altered = texts.map((t, i) => (i === 3 ? { ...t, dataJson: '{"n":99}' } : t));
      expect(verifyText(altered)).to.deep.equal(verifyChain(STREAM, altered.map(parse)));
      expect(verifyText(altered)).to.deep.include({ ok: false });
      const removed = texts.filter((_, i) => i !== 2);
      expect(verifyText(removed)).to.deep.equal(verifyChain(STREAM, removed.map(parse)));
      const reordered = [texts[0], texts[2], texts[1], ...texts.slice(3)] as StoredText[];
      expect(verifyText(reordered)).to.deep.equal(verifyChain(STREAM, reordered.map(parse)));
      expect(verifyText(reordered)).to.deep.include({ ok: false });
      // altered and rehashed in place: the next event's prevHash no longer links
      const rehashed = events.map((e, i) => (i === 2 ? rehash({ ...e, data: { n: 77 } }) : e));
      expect(verifyText(rehashed.map(asStored))).to.deep.equal(verifyChain(STREAM, rehashed));
      expect(verifyText(rehashed.map(asStored))).to.deep.include({ ok: false });
    });

    it('judges text not in the writer’s shape by its content, as verifyChain does', () => {
      const events = chain(3);
      // the same content, spaced: not what was hashed, so it is checked by parsing, and holds
      const spaced = events.map(asStored).map((t, i) => (i === 1 ? { ...t, dataJson: '{ "n": 1 }' } : t));
      expect(verifyText(spaced)).to.deep.equal(verifyChain(STREAM, events));
      expect(verifyText(spaced).ok).to.equal(true);
    });
  });
});
