import { NotFoundError, ValidationError, refuse } from '../errors';
import { unreachable, type Command, type Decider } from '../messages';
import { evolveLot, lotEventTypes, type LotEvent, type LotProduced, type LotReceived, type LotState } from './events';

export type ReceiveLot = Command<'ReceiveLot', Omit<LotReceived['data'], 'receivedAt'>>;
export type IssueLot = Command<
  'IssueLot',
  {
    lotId: string;
    orderId: string;
    operationId: string;
    quantity: number;
    /** The materials the operation's bill lists (read from its order); a lot of another is refused. */
    bom?: readonly string[];
  }
>;
export type ProduceLot = Command<'ProduceLot', Omit<LotProduced['data'], 'producedAt'>>;
export type QuarantineLot = Command<'QuarantineLot', { lotId: string; reason: string; nonconformanceId?: string }>;
export type ReleaseLot = Command<'ReleaseLot', { lotId: string; reason: string }>;
export type ScrapLot = Command<'ScrapLot', { lotId: string; reason: string }>;
export type ReturnLotToSupplier = Command<'ReturnLotToSupplier', { lotId: string; reason: string }>;

export type LotCommand =
  ReceiveLot | IssueLot | ProduceLot | QuarantineLot | ReleaseLot | ScrapLot | ReturnLotToSupplier;

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
  if (state.status === 'Initial') throw new NotFoundError(`lot ${lotId} does not exist`);
  const closed = state.status === 'Consumed' || state.status === 'Scrapped' || state.status === 'Returned';
  switch (command.type) {
    case 'IssueLot': {
      const { bom } = command.data;
      if (bom && bom.length > 0 && !bom.includes(state.material))
        refuse(
          'lot-wrong-material',
          `lot ${lotId} is ${state.material}; operation ${command.data.operationId} uses ${bom.join(', ')}`,
        );
      if (state.status === 'Quarantined') refuse('lot-quarantined', `lot ${lotId} is quarantined: ${state.reason}`);
      if (state.status !== 'Available') refuse('lot-not-available', `lot ${lotId} is ${state.status}`);
      if (command.data.quantity <= 0)
        throw new ValidationError('an issue needs a quantity', [{ path: '/quantity', message: 'must be > 0' }]);
      if (command.data.quantity > state.onHand + 1e-9) {
        refuse(
          'lot-insufficient',
          `lot ${lotId} has ${state.onHand} ${state.unit} on hand; ${command.data.quantity} asked`,
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
        { type: 'LotScrapped', data: { lotId, quantity: state.onHand, reason: command.data.reason, scrappedAt: now } },
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
            quantity: state.onHand,
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
