import type { Directive } from '../../domain/aggregates';
import { ValidationError, refuse } from '../../domain/errors';
import {
  checkReasonCode,
  routingForOrder,
  type BomRecord,
  type InspectionPlanRecord,
  type ProductRecord,
  type ReasonKind,
  type RoutingRecord,
} from '../../domain/masterData';
import type { OrderSpec } from '../../domain/order';
import type { CommandHandler } from '../commandHandler';
import { createMasterLookup } from './lookup';

type AnyCommand = Directive['command'];

/**
 * The command handler with master data in front of it, for every writer (API, scans, devices, ERP,
 * process managers): an order planned by product gets the product's unit and names, and at release
 * the master routing, BOM and inspection plan in force, copied into its command (its decider stays
 * pure); reason codes in commands must be the plant's (once it has defined codes of that kind). The
 * bill of materials of an issue is checked with the other lot rules (src/app/lots/gate.ts).
 */
export const withMasterData = (inner: CommandHandler): CommandHandler => {
  const lookup = createMasterLookup(inner);

  const reason = async (kind: ReasonKind, code: string | undefined, at: string, path: string): Promise<void> => {
    if (code === undefined) return;
    const verdict = checkReasonCode(await lookup.reasons(kind), kind, code, at);
    if (verdict === 'accepted') return;
    const what = verdict === 'unknown' ? 'is not defined' : 'is not active';
    throw new ValidationError(`${kind} reason code ${code} ${what}`, [{ path, message: `${code} ${what}` }], {
      rule: `reason-code-${verdict}`,
      params: { code, kind },
    });
  };

  /** The spec with the product's unit and names; an order without a routing needs an active master product. */
  const completeSpec = async (spec: OrderSpec, at: string, routed: boolean): Promise<OrderSpec> => {
    const code = spec.product;
    const product = await lookup.at<ProductRecord>('product', code, at);
    if (!product) {
      if (routed) return spec;
      if ((await lookup.timeline('product', code)) === undefined)
        refuse('product-unknown', `product ${code} is not master data: plan it with a routing, or define it`, {
          product: code,
        });
      return refuse('product-inactive', `product ${code} has no version in force at ${at}`, { product: code });
    }
    if (!routed && !product.active)
      refuse('product-inactive', `product ${code} is not active at ${at}`, { product: code });
    // a planner's body may leave the unit out (planOrder.json): the product's is the order's then
    return { ...spec, unit: spec.unit ?? product.record.unit, productNames: product.record.names };
  };

  const release = async (orderId: string, at: string) => {
    const { state } = await inner.load('order', orderId);
    if (state.status !== 'Planned' || state.operations.length > 0) return undefined;
    const code = state.spec.product;
    const [product, routing, bom, plan] = await Promise.all([
      lookup.at<ProductRecord>('product', code, at),
      lookup.at<RoutingRecord>('routing', code, at),
      lookup.at<BomRecord>('bom', code, at),
      lookup.at<InspectionPlanRecord>('inspectionPlan', code, at),
    ]);
    // not master data: the order's decider refuses the release for want of a routing, as before
    if (!product && !routing) return undefined;
    return routingForOrder({ code, at, product, routing, bom, plan });
  };

  const prepare = async (aggregate: string, command: AnyCommand): Promise<AnyCommand> => {
    const now = command.meta.now;
    switch (command.type) {
      case 'PlanOrder':
      case 'ReviseOrder': {
        const { spec } = command.data;
        let routed = spec.routing !== undefined;
        if (command.type === 'ReviseOrder' && !routed) {
          const { state } = await inner.load('order', command.data.orderId);
          routed = state.status !== 'Initial' && state.masterData !== undefined;
        }
        return { ...command, data: { ...command.data, spec: await completeSpec(spec, now, routed) } };
      }
      case 'ReleaseOrder': {
        const resolved = await release(command.data.orderId, now);
        return resolved ? { ...command, data: { ...command.data, resolved } } : command;
      }
      case 'ReportQuantity':
        await reason('scrap', command.data.scrap > 0 ? command.data.scrapReason : undefined, now, '/scrapReason');
        return command;
      case 'PauseOperation':
        await reason('downtime', command.data.reason, now, '/reason');
        return command;
      case 'HoldOrder':
        await reason('hold', command.data.reason, now, '/reason');
        return command;
      case 'ChangeMachineState':
        await reason('downtime', command.data.reasonCode, command.data.at ?? now, '/reasonCode');
        return command;
      case 'DecideDisposition':
        await reason('nonconformance', command.data.reasonCode, now, '/reasonCode');
        return command;
      default:
        return command;
    }
  };

  const handle: CommandHandler['handle'] = async (aggregate, id, command, context) =>
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: without it the command union over every aggregate is 'too complex to represent' (TS2590)
    inner.handle(aggregate, id, (await prepare(aggregate, command)) as never, context);
  return {
    handle,
    // cast: TS2590 again; the directive pairs each aggregate with its own command
    execute: (directive, context) => handle(directive.aggregate, directive.id, directive.command as never, context),
    load: (aggregate, id) => inner.load(aggregate, id),
  };
};
