import type * as Schema from '../generated';
import type { FieldProblem } from '../errors';
import type { Event } from '../messages';
import type { Characteristic } from '../order/events';
import { recordDecider, type RecordCommand, type RecordKind, type RecordEvent, type RecordInput } from './record';
import { repeated, type Reference } from './references';
import type { RecordDeactivation, RecordVersion } from './timeline';

/** The routing of a product; its code is the product's (stream `routing-<product>`). */
export type RoutingRecord = Schema.MasterDataRoutingRecord;
/** An operation of a master routing. */
export type RoutingStep = RoutingRecord['operations'][number];
/** The bill of materials of a product, per operation of its routing (stream `bom-<product>`). */
export type BomRecord = Schema.MasterDataBomRecord;
/** A BOM line names a product or a purchased material; `scrapAllowance` is a fraction (0.02 = 2%). */
export type BomLine = BomRecord['lines'][number];
/** What to inspect after which operation of a product (stream `inspectionplan-<product>`). */
export type InspectionPlanRecord = Schema.MasterDataInspectionPlanRecord;
export type PlannedInspection = InspectionPlanRecord['operations'][number];

export type RoutingDefined = Event<'RoutingDefined', RecordVersion<RoutingRecord>>;
export type RoutingRevised = Event<'RoutingRevised', RecordVersion<RoutingRecord>>;
export type RoutingDeactivated = Event<'RoutingDeactivated', RecordDeactivation>;
export type BomDefined = Event<'BomDefined', RecordVersion<BomRecord>>;
export type BomRevised = Event<'BomRevised', RecordVersion<BomRecord>>;
export type BomDeactivated = Event<'BomDeactivated', RecordDeactivation>;
export type InspectionPlanDefined = Event<'InspectionPlanDefined', RecordVersion<InspectionPlanRecord>>;
export type InspectionPlanRevised = Event<'InspectionPlanRevised', RecordVersion<InspectionPlanRecord>>;
export type InspectionPlanDeactivated = Event<'InspectionPlanDeactivated', RecordDeactivation>;

export type RoutingEvent = RecordEvent<'Routing', RoutingRecord>;
export type RoutingCommand = RecordCommand<'Routing', RoutingRecord>;
export type BomEvent = RecordEvent<'Bom', BomRecord>;
export type BomCommand = RecordCommand<'Bom', BomRecord>;
export type InspectionPlanEvent = RecordEvent<'InspectionPlan', InspectionPlanRecord>;
export type InspectionPlanCommand = RecordCommand<'InspectionPlan', InspectionPlanRecord>;

const validateRouting = ({ operations }: RoutingRecord): FieldProblem[] => [
  ...repeated(
    operations.map((op) => op.operationId),
    (i) => `/operations/${i}/operationId`,
    'operation',
  ),
  ...operations.flatMap((op, i) => {
    const alternatives = op.alternativeWorkCenters ?? [];
    return [
      ...repeated(alternatives, (j) => `/operations/${i}/alternativeWorkCenters/${j}`, 'work center'),
      ...alternatives.flatMap((wc, j) =>
        wc === op.workCenter
          ? [
              {
                path: `/operations/${i}/alternativeWorkCenters/${j}`,
                message: `${wc} is the operation’s own work center`,
              },
            ]
          : [],
      ),
    ];
  }),
];

const validateBom = ({ lines }: BomRecord): FieldProblem[] =>
  repeated(
    lines.map((l) => `${l.operationId} ${l.material}`),
    (i) => `/lines/${i}/material`,
    'operation and material',
  );

const validateCharacteristics = (characteristics: Characteristic[], at: string): FieldProblem[] => [
  ...repeated(
    characteristics.map((c) => c.name),
    (i) => `${at}/${i}/name`,
    'characteristic',
  ),
  ...characteristics.flatMap((c, i) => {
    if (c.kind !== 'measured') return [];
    const { lower = -Infinity, upper = Infinity, nominal } = c;
    if (lower > upper) return [{ path: `${at}/${i}/lower`, message: 'is above upper' }];
    if (nominal !== undefined && (nominal < lower || nominal > upper))
      return [{ path: `${at}/${i}/nominal`, message: 'is outside lower and upper' }];
    return [];
  }),
];

const validatePlan = ({ operations }: InspectionPlanRecord): FieldProblem[] => [
  ...repeated(
    operations.map((op) => op.operationId),
    (i) => `/operations/${i}/operationId`,
    'operation',
  ),
  ...operations.flatMap((op, i) => validateCharacteristics(op.characteristics, `/operations/${i}/characteristics`)),
];

export const routingKind: RecordKind<'Routing', RoutingRecord> = {
  prefix: 'Routing',
  category: 'routing',
  rule: 'routing',
  label: 'routing of product',
  validate: validateRouting,
};
export const routingDecider = recordDecider(routingKind);
export const bomKind: RecordKind<'Bom', BomRecord> = {
  prefix: 'Bom',
  category: 'bom',
  rule: 'bom',
  label: 'bill of materials of product',
  validate: validateBom,
};
export const bomDecider = recordDecider(bomKind);
export const inspectionPlanKind: RecordKind<'InspectionPlan', InspectionPlanRecord> = {
  prefix: 'InspectionPlan',
  category: 'inspectionplan',
  rule: 'inspection-plan',
  label: 'inspection plan of product',
  validate: validatePlan,
};
export const inspectionPlanDecider = recordDecider(inspectionPlanKind);

export const routingReferences = ({ code, record }: RecordInput<RoutingRecord>): Reference[] => [
  { path: '/code', kind: 'product', code },
  ...record.operations.flatMap((op, i) => [
    { path: `/operations/${i}/workCenter`, kind: 'workCenter' as const, code: op.workCenter },
    ...(op.alternativeWorkCenters ?? []).map((wc, j) => ({
      path: `/operations/${i}/alternativeWorkCenters/${j}`,
      kind: 'workCenter' as const,
      code: wc,
    })),
  ]),
];
export const bomReferences = ({ code, record }: RecordInput<BomRecord>): Reference[] => [
  { path: '/code', kind: 'product', code },
  ...record.lines.flatMap((line, i) => [
    { path: `/lines/${i}/operationId`, kind: 'operation' as const, product: code, operationId: line.operationId },
    { path: `/lines/${i}/material`, kind: 'material' as const, code: line.material },
  ]),
];
export const inspectionPlanReferences = ({ code, record }: RecordInput<InspectionPlanRecord>): Reference[] => [
  { path: '/code', kind: 'product', code },
  ...record.operations.map((op, i) => ({
    path: `/operations/${i}/operationId`,
    kind: 'operation' as const,
    product: code,
    operationId: op.operationId,
  })),
];
