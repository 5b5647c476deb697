import { refuse } from '../errors';
import type { MasterVersion, MasterVersions, Routing, RoutingOperation } from '../order/events';
import type { ProductRecord } from './products';
import type { BomRecord, InspectionPlanRecord, RoutingRecord, RoutingStep } from './routings';
import type { InForce } from './timeline';

/** A product's master data as in force at an order's release (undefined: none defined, or none in force yet). */
export type MasterForOrder = {
  code: string;
  at: string;
  product: InForce<ProductRecord> | undefined;
  routing: InForce<RoutingRecord> | undefined;
  bom: InForce<BomRecord> | undefined;
  plan: InForce<InspectionPlanRecord> | undefined;
};

const versionOf = ({ version, effectiveFrom }: InForce<unknown>): MasterVersion => ({ version, effectiveFrom });
const active = <R>(value: InForce<R> | undefined): InForce<R> | undefined => (value?.active ? value : undefined);

const operationOf = (
  step: RoutingStep,
  bom: BomRecord | undefined,
  plan: InspectionPlanRecord | undefined,
): RoutingOperation => {
  const planned = plan?.operations.find((p) => p.operationId === step.operationId);
  const { names, alternativeWorkCenters, instructions, instructionsUrl } = step;
  return {
    operationId: step.operationId,
    code: step.code,
    ...(names ? { names } : {}),
    workCenter: step.workCenter,
    ...(alternativeWorkCenters?.length ? { alternativeWorkCenters } : {}),
    standardMinutesPerUnit: step.standardMinutesPerUnit,
    setupMinutes: step.setupMinutes,
    // a plan that lists the operation asks for its inspection even where the routing did not
    inspectionRequired: step.inspectionRequired || planned !== undefined,
    ...(planned ? { sampleSize: planned.sampleSize, characteristics: planned.characteristics } : {}),
    ...(instructions ? { instructions } : {}),
    ...(instructionsUrl ? { instructionsUrl } : {}),
    materials: (bom?.lines ?? [])
      .filter((line) => line.operationId === step.operationId)
      .map(({ material, quantityPerUnit, unit, scrapAllowance }) => ({
        material,
        quantityPerUnit,
        unit,
        ...(scrapAllowance ? { scrapAllowance } : {}),
      })),
  };
};

/**
 * The routing an order planned by product takes at release: the master routing in force, each
 * operation with its lines of the BOM in force and its inspection from the plan in force, and the
 * versions taken. Refused when the product is inactive, has no routing in force, or its BOM or plan
 * names an operation the routing does not have.
 */
export const routingForOrder = (master: MasterForOrder): { routing: Routing; masterData: MasterVersions } => {
  const { code, at } = master;
  if (master.product && !master.product.active)
    refuse('product-inactive', `product ${code} is not active at ${at}`, { product: code });
  const product = master.product;
  const routing = active(master.routing);
  if (!product || !routing)
    return refuse('routing-required', `product ${code} has no routing in force at ${at}`, { product: code });
  const bom = active(master.bom);
  const plan = active(master.plan);
  const ids = new Set(routing.record.operations.map((op) => op.operationId));
  const strays = [
    ...(bom?.record.lines ?? []).map((line) => line.operationId),
    ...(plan?.record.operations ?? []).map((op) => op.operationId),
  ].filter((id) => !ids.has(id));
  if (strays.length > 0)
    refuse(
      'master-data-inconsistent',
      `the bill of materials or inspection plan of product ${code} names operation ${strays[0]}, which its routing in force at ${at} does not have`,
      { product: code, operationId: strays[0] as string },
    );
  return {
    routing: {
      overlap: routing.record.overlap ?? false,
      operations: routing.record.operations.map((step) => operationOf(step, bom?.record, plan?.record)),
    },
    masterData: {
      product: versionOf(product),
      routing: versionOf(routing),
      ...(bom ? { bom: versionOf(bom) } : {}),
      ...(plan ? { inspectionPlan: versionOf(plan) } : {}),
    },
  };
};

/** Whether a material is on an operation's bill of materials; `no-bom` when the operation lists none. */
export const bomCheck = (
  routing: Routing | undefined,
  operationId: string,
  material: string,
): 'on-bom' | 'not-on-bom' | 'no-bom' => {
  const materials = routing?.operations.find((op) => op.operationId === operationId)?.materials ?? [];
  if (materials.length === 0) return 'no-bom';
  return materials.some((m) => m.material === material) ? 'on-bom' : 'not-on-bom';
};
