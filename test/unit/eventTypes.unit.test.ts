import { expect } from 'chai';
import { asDomainEvent, isOfType, type RecordedDomainEvent, type RecordedEvent } from '../../src/app/eventStore';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { toCloudEvent } from '../../src/adapters/publish/cloudEvents';
import { domainEventTypes, type DomainEventOf, type DomainEventType } from '../../src/domain/aggregates';
import type { EventData } from '../../src/domain/generated';

// Checked by tsc (npm test runs it over test/): a type that is not what it should be fails the build.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const typesAre = <T extends true>(): T | undefined => undefined;

// every domain event carries its type's data at the newest schema version, and every schema type is in the domain
typesAre<Equal<DomainEventType, keyof EventData>>();
typesAre<Equal<{ [K in DomainEventType]: DomainEventOf<K>['data'] }, EventData>>();

const recorded = (type: string, data: Record<string, unknown>): RecordedEvent => ({
  id: '00000000-0000-4000-8000-000000000001',
  type,
  data,
  metadata: {
    occurredAt: '2026-11-25T10:00:00+08:00',
    actor: 'tester',
    source: 'api',
    correlationId: 'c',
    causationId: 'c',
    schemaVersion: 1,
    prevHash: '',
    hash: '',
  },
  streamId: 'order-O1',
  revision: 0,
  position: '1',
  recordedAt: '2026-11-25T02:00:00.000Z',
});

const completed = recorded('OperationCompleted', {
  orderId: 'O1',
  operationId: '010',
  workCenter: 'WC-TURN',
  good: 9,
  scrap: 1,
  rework: 0,
  startedAt: '2026-11-25T08:00:00+08:00',
  completedAt: '2026-11-25T10:00:00+08:00',
  last: false,
});

/** How a read model reads an event: the switch narrows the data to the schema of the type. */
const workCenterOf = (event: RecordedDomainEvent): string | undefined => {
  switch (event.type) {
    case 'OperationCompleted':
      return event.data.workCenter;
    case 'OperationStarted':
      // @ts-expect-error the field is workCenter: a misspelled (or renamed in the schema) field does not compile
      return event.data.workCentre as string;
    default:
      return undefined;
  }
};

describe('domain event types from schemas/', () => {
  it('are exactly the event types schemas/events defines', () => {
    expect([...domainEventTypes].sort()).to.deep.equal(loadSchemaRegistry().eventTypes());
  });

  it('narrow a recorded event by its type, and leave out a type the domain does not know', () => {
    const event = asDomainEvent(completed);
    expect(event && workCenterOf(event)).to.equal('WC-TURN');
    expect(asDomainEvent(recorded('TestCounted', { n: 1 }))).to.equal(undefined);
  });

  it('pick the events of some types, narrowed to them', () => {
    const event = asDomainEvent(completed) as RecordedDomainEvent;
    expect(isOfType(['OperationCompleted', 'OrderCompleted'], event) && event.data.good).to.equal(9);
    expect(isOfType(['OrderCompleted'], event)).to.equal(false);
  });

  it('keep the data type in a CloudEvent', () => {
    const event = asDomainEvent(completed);
    if (event?.type !== 'OperationCompleted') return expect.fail('OperationCompleted is a domain event type');
    const cloudEvent = toCloudEvent(event);
    typesAre<Equal<typeof cloudEvent.data, EventData['OperationCompleted']>>();
    expect(cloudEvent.data.scrap).to.equal(1);
    expect(cloudEvent.dataschema).to.equal('https://mes-backbone.dev/schemas/events/OperationCompleted.v1.json');
  });
});
