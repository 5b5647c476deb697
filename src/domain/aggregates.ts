import { alertDecider, type AlertCommand, type AlertEvent } from './alert';
import { apiKeyDecider, type ApiKeyCommand, type ApiKeyEvent } from './apikey';
import { calendarDecider, type CalendarCommand, type CalendarEvent } from './calendar';
import { deviceDecider, type DeviceCommand, type DeviceEvent } from './device';
import { healthDecider, type HealthCommand, type HealthEvent } from './health';
import { dispatchDecider, type DispatchCommand, type DispatchEvent } from './dispatch';
import { inspectionDecider, type InspectionCommand, type InspectionEvent } from './inspection';
import { labourDecider, type LabourCommand, type LabourEvent } from './labour';
import { lotDecider, type LotCommand, type LotEvent } from './lot';
import { machineDecider, type MachineCommand, type MachineEvent } from './machine';
import {
  correctiveDecider,
  maintenanceDecider,
  type CorrectiveCommand,
  type CorrectiveEvent,
  type MaintenanceCommand,
  type MaintenanceEvent,
} from './maintenance';
import * as master from './masterData';
import { nonconformanceDecider, type NonconformanceCommand, type NonconformanceEvent } from './nonconformance';
import { orderDecider, type OrderCommand, type OrderEvent } from './order';
import { securityEventTypes, type SecurityEvent } from './security';
import { personDecider, type PersonCommand, type PersonEvent } from './people';
import { spcDecider, type SpcCommand, type SpcEvent } from './spc';

/** Every aggregate by name; its stream is `<category>-<id>`. */
export const deciders = {
  order: orderDecider,
  lot: lotDecider,
  inspection: inspectionDecider,
  nonconformance: nonconformanceDecider,
  machine: machineDecider,
  maintenance: maintenanceDecider,
  corrective: correctiveDecider,
  operator: labourDecider,
  workcenter: dispatchDecider,
  site: master.siteDecider,
  line: master.lineDecider,
  workCenterDef: master.workCenterDecider,
  product: master.productDecider,
  material: master.materialDecider,
  routing: master.routingDecider,
  bom: master.bomDecider,
  inspectionPlan: master.inspectionPlanDecider,
  employee: master.employeeDecider,
  reasonCodes: master.reasonCodesDecider,
  person: personDecider,
  device: deviceDecider,
  apikey: apiKeyDecider,
  calendar: calendarDecider,
  spcchart: spcDecider,
  alert: alertDecider,
  health: healthDecider,
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
  corrective: CorrectiveCommand;
  operator: LabourCommand;
  workcenter: DispatchCommand;
  site: master.SiteCommand;
  line: master.LineCommand;
  workCenterDef: master.WorkCenterCommand;
  product: master.ProductCommand;
  material: master.MaterialCommand;
  routing: master.RoutingCommand;
  bom: master.BomCommand;
  inspectionPlan: master.InspectionPlanCommand;
  employee: master.EmployeeCommand;
  reasonCodes: master.ReasonCodeCommand;
  person: PersonCommand;
  device: DeviceCommand;
  apikey: ApiKeyCommand;
  calendar: CalendarCommand;
  spcchart: SpcCommand;
  alert: AlertCommand;
  health: HealthCommand;
};

/** A command addressed to one aggregate instance: what process managers send. */
export type Directive = { [K in AggregateName]: { aggregate: K; id: string; command: CommandOf[K] } }[AggregateName];

/** Every domain event type, each in exactly one aggregate. */
export const domainEventTypes: readonly DomainEventType[] = [
  ...Object.values(deciders).flatMap((d) => [...d.eventTypes]),
  // the security trail is appended by the security log, not decided by an aggregate
  ...securityEventTypes,
];

/** Every event of the domain with its data: `switch (event.type)` narrows `event.data`. */
export type DomainEvent =
  | OrderEvent
  | LotEvent
  | InspectionEvent
  | NonconformanceEvent
  | MachineEvent
  | MaintenanceEvent
  | CorrectiveEvent
  | LabourEvent
  | DispatchEvent
  | master.SiteEvent
  | master.LineEvent
  | master.WorkCenterEvent
  | master.ProductEvent
  | master.MaterialEvent
  | master.RoutingEvent
  | master.BomEvent
  | master.InspectionPlanEvent
  | master.EmployeeEvent
  | master.ReasonCodeEvent
  | PersonEvent
  | DeviceEvent
  | ApiKeyEvent
  | CalendarEvent
  | SpcEvent
  | AlertEvent
  | HealthEvent
  | SecurityEvent;
export type DomainEventType = DomainEvent['type'];
/** The event of one type, e.g. `DomainEventOf<'OperationCompleted'>`. */
export type DomainEventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

const DOMAIN_EVENT_TYPES = new Set<string>(domainEventTypes);
export const isDomainEventType = (type: string): type is DomainEventType => DOMAIN_EVENT_TYPES.has(type);
