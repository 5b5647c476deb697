import { NotFoundError, ValidationError, refuse } from '../errors';
import type * as Schema from '../generated';
import { unreachable, type Command, type Decider } from '../messages';
import { evolveLot, lotEventTypes, type LotEvent, type LotReceived, type LotState } from './events';

export type ReceiveLot = Command<'ReceiveLot', Omit<LotReceived['data'], 'receivedAt'>>;
/**
 * `overridden`: the rules a quality or planner user's `override` set aside, as the application's lot
 * rules found them (src/app/lots/gate.ts); the event records them with who and why.
 */
export type IssueLot = Command<'IssueLot', { lotId: string; overridden?: readonly string[] } & Schema.IssueLotBody>;
export type ProduceLot = Command<'ProduceLot', Schema.ProduceLotBody>;
export type QuarantineLot = Command<'QuarantineLot', { lotId: string; nonconformanceId?: string } & Schema.ReasonBody>;
export type ReleaseLot = Command<'ReleaseLot', { lotId: string } & Schema.ReasonBody>;
/** `quantity`: part of the lot (a disposition's share); the whole lot when absent. */
export type ScrapLot = Command<'ScrapLot', { lotId: string; quantity?: number } & Schema.ReasonBody>;
export type ReturnLotToSupplier = Command<
  'ReturnLotToSupplier',
  { lotId: string; quantity?: number } & Schema.ReasonBody
>;
export type ShipLot = Command<'ShipLot', { lotId: string } & Schema.ShipLotBody>;
/** The quality loop opens an operation's output as a lot; opening it again writes nothing. */
export type OpenWipLot = Command<'OpenWipLot', Omit<Schema.WipLotOpenedV1, 'openedAt'>>;

export type LotCommand =
  | ReceiveLot
  | IssueLot
  | ProduceLot
  | QuarantineLot
  | ReleaseLot
  | ScrapLot
  | ReturnLotToSupplier
  | ShipLot
  | OpenWipLot;

const insufficient = (state: { lotId: string; onHand: number; unit: string }, quantity: number, action: string) => {
  if (quantity > state.onHand + 1e-9)
    refuse('lot-insufficient', `lot ${state.lotId} has ${state.onHand} ${state.unit} on hand; ${quantity} asked`, {
      lotId: state.lotId,
      onHand: state.onHand,
      unit: state.unit,
      quantity,
      action,
    });
};

/** The share of a lot a command names, never more than is on hand; all of it when none is named. */
const partOf = (onHand: number, quantity: number | undefined): number =>
  quantity === undefined ? onHand : Math.min(onHand, quantity);

export const decideLot = (command: LotCommand, state: LotState): LotEvent[] => {
  const { lotId } = command.data;
  const now = command.meta.now;
  if (command.type === 'ReceiveLot' || command.type === 'ProduceLot') {
    if (state.status !== 'Initial') refuse('lot-exists', `lot ${lotId} already exists`);
    if (command.data.quantity <= 0)
      throw new ValidationError('a lot needs a quantity', [{ path: '/quantity', message: 'must be > 0' }]);
    if (command.type === 'ReceiveLot') return [{ type: 'LotReceived', data: { ...command.data, receivedAt: now } }];
    return [{ type: 'LotProduced', data: { ...command.data, producedAt: now } }];
  }
  if (command.type === 'OpenWipLot')
    return state.status === 'Initial' ? [{ type: 'WipLotOpened', data: { ...command.data, openedAt: now } }] : [];
  if (state.status === 'Initial') throw new NotFoundError(`lot ${lotId} does not exist`);
  const closed =
    state.status === 'Consumed' ||
    state.status === 'Scrapped' ||
    state.status === 'Returned' ||
    state.status === 'Shipped';
  switch (command.type) {
    case 'IssueLot': {
      if (state.status === 'Quarantined')
        refuse('lot-quarantined', `lot ${lotId} is quarantined: ${state.reason}`, { lotId, reason: state.reason });
      if (state.status !== 'Available')
        refuse('lot-not-available', `lot ${lotId} is ${state.status}`, { lotId, status: state.status });
      if (command.data.quantity <= 0)
        throw new ValidationError('an issue needs a quantity', [{ path: '/quantity', message: 'must be > 0' }]);
      insufficient(state, command.data.quantity, 'issue');
      const { orderId, operationId, quantity, override, overridden } = command.data;
      // an override is recorded when it set a rule aside: who (the authenticated actor), why, which rules
      const recorded =
        override && overridden && overridden.length > 0
          ? { override: { by: command.meta.actor, reason: override.reason, rules: [...overridden] } }
          : {};
      return [
        {
          type: 'LotIssued',
          data: {
            lotId,
            material: state.material,
            orderId,
            operationId,
            quantity,
            unit: state.unit,
            issuedAt: now,
            ...recorded,
          },
        },
      ];
    }
    case 'ShipLot': {
      const { shipmentId, customer, quantity, unit } = command.data;
      const earlier = state.shipments?.find((s) => s.shipmentId === shipmentId);
      if (earlier) {
        if (earlier.customer === customer && earlier.quantity === quantity) return [];
        refuse('shipment-exists', `lot ${lotId} already left with shipment ${shipmentId}, for another content`, {
          lotId,
          shipmentId,
        });
      }
      if (state.origin !== 'produced' || !state.orderId)
        refuse('lot-not-produced', `lot ${lotId} was bought, not made here: only finished goods are shipped`, {
          lotId,
        });
      if (state.status === 'Quarantined')
        refuse('lot-quarantined', `lot ${lotId} is quarantined: ${state.reason}`, {
          lotId,
          reason: state.reason,
          action: 'ship',
        });
      if (state.status !== 'Available')
        refuse('lot-not-available', `lot ${lotId} is ${state.status}`, { lotId, status: state.status, action: 'ship' });
      if (unit !== undefined && unit !== state.unit)
        refuse('lot-unit-mismatch', `lot ${lotId} is counted in ${state.unit}, not ${unit}`, {
          lotId,
          unit,
          lotUnit: state.unit,
        });
      insufficient(state, quantity, 'ship');
      return [
        {
          type: 'LotShipped',
          data: {
            lotId,
            material: state.material,
            orderId: state.orderId ?? '',
            shipmentId,
            customer,
            quantity,
            unit: state.unit,
            shippedAt: now,
          },
        },
      ];
    }
    case 'QuarantineLot': {
      if (state.status === 'Quarantined') return [];
      if (closed) refuse('lot-closed', `lot ${lotId} is ${state.status}`);
      const { reason, nonconformanceId } = command.data;
      return [
        {
          type: 'LotQuarantined',
          data: { lotId, reason, quarantinedAt: now, ...(nonconformanceId ? { nonconformanceId } : {}) },
        },
      ];
    }
    case 'ReleaseLot':
      if (state.status !== 'Quarantined')
        refuse('lot-not-quarantined', `lot ${lotId} is ${state.status}, not quarantined`);
      return [{ type: 'LotReleased', data: { lotId, reason: command.data.reason, releasedAt: now } }];
    case 'ScrapLot':
      if (closed) refuse('lot-closed', `lot ${lotId} is ${state.status}`);
      return [
        {
          type: 'LotScrapped',
          data: {
            lotId,
            quantity: partOf(state.onHand, command.data.quantity),
            reason: command.data.reason,
            scrappedAt: now,
          },
        },
      ];
    case 'ReturnLotToSupplier':
      if (closed) refuse('lot-closed', `lot ${lotId} is ${state.status}`);
      if (state.origin !== 'received' || !state.supplier)
        refuse('lot-not-purchased', `lot ${lotId} was produced here, not bought`);
      return [
        {
          type: 'LotReturnedToSupplier',
          data: {
            lotId,
            quantity: partOf(state.onHand, command.data.quantity),
            supplier: state.supplier ?? '',
            reason: command.data.reason,
            returnedAt: now,
          },
        },
      ];
    default:
      return unreachable(command);
  }
};

export const lotDecider: Decider<LotCommand, LotEvent, LotState> = {
  category: 'lot',
  initialState: { status: 'Initial' },
  decide: decideLot,
  evolve: evolveLot,
  eventTypes: lotEventTypes,
};
