import { dispatchDecider, type DispatchCommand } from './dispatch';
import { inspectionDecider, type InspectionCommand } from './inspection';
import { labourDecider, type LabourCommand } from './labour';
import { lotDecider, type LotCommand } from './lot';
import { machineDecider, type MachineCommand } from './machine';
import { maintenanceDecider, type MaintenanceCommand } from './maintenance';
import * as master from './masterData';
import { nonconformanceDecider, type NonconformanceCommand } from './nonconformance';
import { orderDecider, type OrderCommand } from './order';

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
};

/** A command addressed to one aggregate instance: what process managers send. */
export type Directive = { [K in AggregateName]: { aggregate: K; id: string; command: CommandOf[K] } }[AggregateName];

/** Every domain event type, each in exactly one aggregate. */
export const domainEventTypes: readonly string[] = Object.values(deciders).flatMap((d) => [...d.eventTypes]);
