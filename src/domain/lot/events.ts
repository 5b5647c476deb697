import type * as Schema from '../generated';
import type { Event } from '../messages';

export type LotReceived = Event<'LotReceived', Schema.LotReceivedV1>;
/** Material from the lot went into an order's operation: the backward link of genealogy. */
export type LotIssued = Event<'LotIssued', Schema.LotIssuedV1>;
/** Finished goods from an order became this lot: the forward link of genealogy. */
export type LotProduced = Event<'LotProduced', Schema.LotProducedV1>;
export type LotQuarantined = Event<'LotQuarantined', Schema.LotQuarantinedV1>;
export type LotReleased = Event<'LotReleased', Schema.LotReleasedV1>;
export type LotScrapped = Event<'LotScrapped', Schema.LotScrappedV1>;
export type LotReturnedToSupplier = Event<'LotReturnedToSupplier', Schema.LotReturnedToSupplierV1>;
/** Finished goods of the lot left for a customer: the last link of a forward trace (whom to recall from). */
export type LotShipped = Event<'LotShipped', Schema.LotShippedV1>;
/** An operation's output as a work-in-progress lot, for its routing inspection (the quality loop opens it). */
export type WipLotOpened = Event<'WipLotOpened', Schema.WipLotOpenedV1>;

export type LotEvent =
  | LotReceived
  | LotIssued
  | LotProduced
  | LotQuarantined
  | LotReleased
  | LotScrapped
  | LotReturnedToSupplier
  | LotShipped
  | WipLotOpened;

export const lotEventTypes = [
  'LotReceived',
  'LotIssued',
  'LotProduced',
  'LotQuarantined',
  'LotReleased',
  'LotScrapped',
  'LotReturnedToSupplier',
  'LotShipped',
  'WipLotOpened',
] as const satisfies readonly LotEvent['type'][];

type LotBody = {
  lotId: string;
  material: string;
  unit: string;
  onHand: number;
  supplier?: string;
  origin: 'received' | 'produced' | 'wip';
  /** The order that made the lot (produced lots). */
  orderId?: string;
  /** What left for customers, by shipment: a shipment repeated with the same content writes nothing. */
  shipments?: { shipmentId: string; customer: string; quantity: number }[];
};

export type LotState =
  | { status: 'Initial' }
  | (LotBody & { status: 'Available' })
  | (LotBody & { status: 'Quarantined'; reason: string })
  | (LotBody & { status: 'Consumed' })
  | (LotBody & { status: 'Scrapped' })
  | (LotBody & { status: 'Returned' })
  | (LotBody & { status: 'Shipped' });

export const evolveLot = (state: LotState, event: LotEvent): LotState => {
  switch (event.type) {
    case 'LotReceived': {
      const { lotId, material, unit, quantity, supplier } = event.data;
      return { status: 'Available', lotId, material, unit, onHand: quantity, supplier, origin: 'received' };
    }
    case 'LotProduced': {
      const { lotId, material, unit, quantity, orderId } = event.data;
      return { status: 'Available', lotId, material, unit, onHand: quantity, origin: 'produced', orderId };
    }
    case 'WipLotOpened': {
      const { lotId, material, unit, quantity } = event.data;
      return { status: 'Available', lotId, material, unit, onHand: quantity, origin: 'wip' };
    }
    default:
      break;
  }
  if (state.status === 'Initial') return state;
  switch (event.type) {
    case 'LotIssued': {
      const onHand = state.onHand - event.data.quantity;
      return onHand > 0 ? { ...state, onHand } : { ...state, onHand: 0, status: 'Consumed' };
    }
    case 'LotQuarantined':
      return { ...state, status: 'Quarantined', reason: event.data.reason };
    case 'LotReleased':
      return { ...state, status: state.onHand > 0 ? 'Available' : 'Consumed' };
    // a disposition may scrap or return part of a lot: the rest stays as it was (quarantined)
    case 'LotScrapped': {
      const onHand = Math.max(0, state.onHand - event.data.quantity);
      return onHand > 1e-9 ? { ...state, onHand } : { ...state, onHand: 0, status: 'Scrapped' };
    }
    case 'LotReturnedToSupplier': {
      const onHand = Math.max(0, state.onHand - event.data.quantity);
      return onHand > 1e-9 ? { ...state, onHand } : { ...state, onHand: 0, status: 'Returned' };
    }
    case 'LotShipped': {
      const { shipmentId, customer, quantity } = event.data;
      const shipments = [...(state.shipments ?? []), { shipmentId, customer, quantity }];
      const onHand = state.onHand - quantity;
      return onHand > 1e-9 ? { ...state, onHand, shipments } : { ...state, onHand: 0, shipments, status: 'Shipped' };
    }
  }
};
