import type { Directive } from '../../domain/aggregates';
import { ForbiddenError, IllegalStateError, NotFoundError } from '../../domain/errors';
import { issueRefusals, produceRefusals, type IssueLot, type LotRefusal, type ProduceLot } from '../../domain/lot';
import type { CommandHandler } from '../commandHandler';
import type { EventStore } from '../eventStore';
import { createProducedTotals } from './producedTotals';

type AnyCommand = Directive['command'];

/** Who may issue past a lot rule, with a reason. */
export const OVERRIDE_ROLES: readonly string[] = ['quality', 'planner'];

const thrown = (refusal: LotRefusal): Error => {
  const problems = [{ path: refusal.path, message: refusal.message }];
  const { rule, params, message } = refusal;
  return refusal.status === 404
    ? new NotFoundError(message, { rule, params, problems })
    : new IllegalStateError(message, rule, { params, problems });
};

/**
 * The command handler with the lot rules that need another aggregate in front of it, for every writer
 * (API, WMS over HTTP and NATS): an issue names an order and operation that exist, in a state that takes
 * material, and a material on the operation's bill of materials, unless a quality or planner user
 * overrides (the rules set aside go into the command, so the event records them with who and why); a
 * produced lot names an existing, released order, its product and unit, and stays within the order's
 * quantity plus its overrun tolerance. The rules themselves are pure (src/domain/lot/rules.ts).
 *
 * Produced lots of one order are checked and written one after another in this process, against the
 * log's `LotProduced` events read up to that moment.
 */
export const withLotRules = (inner: CommandHandler, deps: { store: Pick<EventStore, 'readAll'> }): CommandHandler => {
  const produced = createProducedTotals(deps.store);
  const lanes = new Map<string, Promise<unknown>>();
  const inLane = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const run = (lanes.get(key) ?? Promise.resolve()).then(work, work);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    lanes.set(key, tail);
    void tail.then(() => {
      if (lanes.get(key) === tail) lanes.delete(key);
    });
    return run;
  };

  const issue = async (command: IssueLot): Promise<IssueLot> => {
    const { lotId, orderId, operationId, override } = command.data;
    if (override && !command.meta.roles?.some((role) => OVERRIDE_ROLES.includes(role)))
      throw new ForbiddenError(
        `only a ${OVERRIDE_ROLES.join(' or ')} user may override a lot rule; ${command.meta.actor} may not`,
        'override-not-allowed',
      );
    const [order, lot] = await Promise.all([inner.load('order', orderId), inner.load('lot', lotId)]);
    const material = lot.state.status === 'Initial' ? undefined : lot.state.material;
    const refusals = issueRefusals(order.state, { lotId, orderId, operationId, material });
    const [first] = refusals;
    if (!first) return command;
    const fixed = refusals.find((r) => !r.overridable);
    if (fixed) throw thrown(fixed);
    if (!override) throw thrown(first);
    return { ...command, data: { ...command.data, overridden: refusals.map((r) => r.rule) } };
  };

  const produce = async (command: ProduceLot): Promise<void> => {
    const { lotId, orderId } = command.data;
    // a lot already made answers for itself (a retried command is a duplicate, another one lot-exists)
    if ((await inner.load('lot', lotId)).state.status !== 'Initial') return;
    const order = (await inner.load('order', orderId)).state;
    const [first] = produceRefusals(order, command.data, await produced.of(orderId));
    if (first) throw thrown(first);
  };

  const handle: CommandHandler['handle'] = async (aggregate, id, command, context) => {
    const any: AnyCommand = command;
    if (aggregate === 'lot' && any.type === 'IssueLot') return inner.handle('lot', id, await issue(any), context);
    if (aggregate === 'lot' && any.type === 'ProduceLot')
      return inLane(`order-${any.data.orderId}`, async () => {
        await produce(any);
        return inner.handle('lot', id, any, context);
      });
    return inner.handle(aggregate, id, command, context);
  };
  return {
    handle,
    // cast: TS2590 again; the directive pairs each aggregate with its own command
    execute: (directive, context) => handle(directive.aggregate, directive.id, directive.command as never, context),
    load: (aggregate, id) => inner.load(aggregate, id),
  };
};
