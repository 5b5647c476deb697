import { NotFoundError, ValidationError, refuse } from '../errors';
import type * as Schema from '../generated';
import { unreachable, type Command, type Decider } from '../messages';
import { evolveLot, lotEventTypes, type LotEvent, type LotReceived, type LotState } from './events';

export type ReceiveLot = Command<'ReceiveLot', Omit<LotReceived['data'], 'receivedAt'>>;
export type IssueLot = Command<'IssueLot', { lotId: string } & Schema.IssueLotBody>;
export type ProduceLot = Command<'ProduceLot', Schema.ProduceLotBody>;
export type QuarantineLot = Command<'QuarantineLot', { lotId: string; nonconformanceId?: string } & Schema.ReasonBody>;
export type ReleaseLot = Command<'ReleaseLot', { lotId: string } & Schema.ReasonBody>;
/** `quantity`: part of the lot (a disposition's share); the whole lot when absent. */
export type ScrapLot = Command<'ScrapLot', { lotId: string; quantity?: number } & Schema.ReasonBody>;
export type ReturnLotToSupplier = Command<
  'ReturnLotToSupplier',
  { lotId: string; quantity?: number } & Schema.ReasonBody
>;
/** The quality loop opens an operation's output as a lot; opening it again writes nothing. */
export type OpenWipLot = Command<'OpenWipLot', Omit<Schema.WipLotOpenedV1, 'openedAt'>>;

export type LotCommand =
  ReceiveLot | IssueLot | ProduceLot | QuarantineLot | ReleaseLot | ScrapLot | ReturnLotToSupplier | OpenWipLot;

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
  const closed = state.status === 'Consumed' || state.status === 'Scrapped' || state.status === 'Returned';
  switch (command.type) {
    case 'IssueLot': {
      if (state.status === 'Quarantined')
        refuse('lot-quarantined', `lot ${lotId} is quarantined: ${state.reason}`, { lotId, reason: state.reason });
      if (state.status !== 'Available')
        refuse('lot-not-available', `lot ${lotId} is ${state.status}`, { lotId, status: state.status });
      if (command.data.quantity <= 0)
        throw new ValidationError('an issue needs a quantity', [{ path: '/quantity', message: 'must be > 0' }]);
      if (command.data.quantity > state.onHand + 1e-9) {
        refuse(
          'lot-insufficient',
          `lot ${lotId} has ${state.onHand} ${state.unit} on hand; ${command.data.quantity} asked`,
          { lotId, onHand: state.onHand, unit: state.unit, quantity: command.data.quantity },
        );
      }
      const { orderId, operationId, quantity } = command.data;
      return [
        {
          type: 'LotIssued',
          data: { lotId, material: state.material, orderId, operationId, quantity, unit: state.unit, issuedAt: now },
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
