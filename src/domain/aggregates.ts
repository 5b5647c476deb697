import { dispatchDecider, type DispatchCommand, type DispatchEvent } from './dispatch';
import { inspectionDecider, type InspectionCommand, type InspectionEvent } from './inspection';
import { labourDecider, type LabourCommand, type LabourEvent } from './labour';
import { lotDecider, type LotCommand, type LotEvent } from './lot';
import { machineDecider, type MachineCommand, type MachineEvent } from './machine';
import { maintenanceDecider, type MaintenanceCommand, type MaintenanceEvent } from './maintenance';
import { nonconformanceDecider, type NonconformanceCommand, type NonconformanceEvent } from './nonconformance';
import { orderDecider, type OrderCommand, type OrderEvent } from './order';

/** Every aggregate by name; its stream is `<category>-<id>`. */
export const deciders = {
  order: orderDecider,
  lot: lotDecider,
  inspection: inspectionDecider,
  nonconformance: nonconformanceDecider,
  machine: machineDecider,
  maintenance: maintenanceDecider,
  operator: labourDecider,
  workcenter: dispatchDecider,
} as const;

export type AggregateName = keyof typeof deciders;

/** Each aggregate's commands. */
export type CommandOf = {
  order: OrderCommand;
  lot: LotCommand;
  inspection: InspectionCommand;
  nonconformance: NonconformanceCommand;
  machine: MachineCommand;
  maintenance: MaintenanceCommand;
  operator: LabourCommand;
  workcenter: DispatchCommand;
};

/** A command addressed to one aggregate instance: what process managers send. */
export type Directive = { [K in AggregateName]: { aggregate: K; id: string; command: CommandOf[K] } }[AggregateName];

/** Every domain event type, each in exactly one aggregate. */
export const domainEventTypes: readonly DomainEventType[] = Object.values(deciders).flatMap((d) => [...d.eventTypes]);

/** Every event of the domain with its data: `switch (event.type)` narrows `event.data`. */
export type DomainEvent =
  | OrderEvent
  | LotEvent
  | InspectionEvent
  | NonconformanceEvent
  | MachineEvent
  | MaintenanceEvent
  | LabourEvent
  | DispatchEvent;
export type DomainEventType = DomainEvent['type'];
/** The event of one type, e.g. `DomainEventOf<'OperationCompleted'>`. */
export type DomainEventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

const DOMAIN_EVENT_TYPES = new Set<string>(domainEventTypes);
export const isDomainEventType = (type: string): type is DomainEventType => DOMAIN_EVENT_TYPES.has(type);
