import type { FieldProblem } from '../errors';
import { employeeKind, employeeReferences } from './employees';
import { lineKind, lineReferences, siteKind, workCenterKind, workCenterReferences } from './plant';
import { materialKind, productKind } from './products';
import type { RecordInput } from './record';
import type { Reference } from './references';
import {
  bomKind,
  bomReferences,
  inspectionPlanKind,
  inspectionPlanReferences,
  routingKind,
  routingReferences,
} from './routings';

export * from './builtinReasons';
export * from './employees';
export * from './orderRouting';
export * from './plant';
export * from './products';
export * from './reasonCodes';
export * from './record';
export * from './references';
export * from './routings';
export * from './timeline';

const none = (): Reference[] => [];

/**
 * The kinds of versioned master records: the aggregate each is, its event prefix, its checks on a
 * record's content and the codes it names. A bulk import validates a row with `kind.validate` and
 * `references` before anything is appended.
 */
export const MASTER_KINDS = {
  site: { aggregate: 'site', kind: siteKind, references: none },
  line: { aggregate: 'line', kind: lineKind, references: lineReferences },
  workCenter: { aggregate: 'workCenterDef', kind: workCenterKind, references: workCenterReferences },
  product: { aggregate: 'product', kind: productKind, references: none },
  material: { aggregate: 'material', kind: materialKind, references: none },
  routing: { aggregate: 'routing', kind: routingKind, references: routingReferences },
  bom: { aggregate: 'bom', kind: bomKind, references: bomReferences },
  inspectionPlan: { aggregate: 'inspectionPlan', kind: inspectionPlanKind, references: inspectionPlanReferences },
  employee: { aggregate: 'employee', kind: employeeKind, references: employeeReferences },
} as const;

export type MasterKind = keyof typeof MASTER_KINDS;
export const masterKinds = Object.keys(MASTER_KINDS) as MasterKind[];

/** One kind's entry with its record type erased: what generic code (routes, imports) works with. */
export type AnyMasterKind = {
  aggregate: (typeof MASTER_KINDS)[MasterKind]['aggregate'];
  kind: { prefix: string; category: string; rule: string; label: string; validate: (record: never) => FieldProblem[] };
  references: (input: RecordInput<never>) => Reference[];
};
export const masterKind = (kind: MasterKind): AnyMasterKind => MASTER_KINDS[kind];
