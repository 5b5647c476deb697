import { expect } from 'chai';
import { ValidationError } from '../../src/domain/errors';
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
