import { apiKeyDecider, type ApiKeyCommand } from './apikey';
import { deviceDecider, type DeviceCommand } from './device';
import { dispatchDecider, type DispatchCommand } from './dispatch';
import { inspectionDecider, type InspectionCommand } from './inspection';
import { labourDecider, type LabourCommand } from './labour';
import { lotDecider, type LotCommand } from './lot';
import { machineDecider, type MachineCommand } from './machine';
import { maintenanceDecider, type MaintenanceCommand } from './maintenance';
import { nonconformanceDecider, type NonconformanceCommand } from './nonconformance';
import { orderDecider, type OrderCommand } from './order';
import { personDecider, type PersonCommand } from './people';

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
  person: personDecider,
  device: deviceDecider,
  apikey: apiKeyDecider,
} as const;

export type AggregateName = keyof typeof deciders;

type CommandOf = {
  order: OrderCommand;
  lot: LotCommand;
  inspection: InspectionCommand;
  nonconformance: NonconformanceCommand;
  machine: MachineCommand;
  maintenance: MaintenanceCommand;
  operator: LabourCommand;
  workcenter: DispatchCommand;
  person: PersonCommand;
  device: DeviceCommand;
  apikey: ApiKeyCommand;
};

/** A command addressed to one aggregate instance: what process managers send. */
export type Directive = { [K in AggregateName]: { aggregate: K; id: string; command: CommandOf[K] } }[AggregateName];

/** Every domain event type, each in exactly one aggregate. */
export const domainEventTypes: readonly string[] = Object.values(deciders).flatMap((d) => [...d.eventTypes]);
