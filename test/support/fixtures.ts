import type { CommandHandler } from '../../src/app/commandHandler';
import type { OrderSpec, RoutingOperation } from '../../src/domain/order';

export const operation = (operationId: string, overrides: Partial<RoutingOperation> = {}): RoutingOperation => ({
  operationId,
  code: 'OP',
  workCenter: `WC-${operationId}`,
  standardMinutesPerUnit: 1,
  setupMinutes: 5,
  inspectionRequired: false,
  materials: [],
  ...overrides,
});

/** A planner's order of a product with the given operations (default: one, `010`). */
export const orderSpec = (
  overrides: Partial<OrderSpec> = {},
  operations: RoutingOperation[] = [operation('010')],
): OrderSpec => ({
  product: 'SHAFT',
  quantity: 100,
  unit: 'pcs',
  customer: 'ACME',
  priority: 3,
  dueDate: '2026-12-01T00:00:00Z',
  overrunTolerance: 0,
  source: 'planner',
  routing: { overlap: false, operations },
  ...overrides,
});

/** Registers machines through the command handler, as a plant's set-up would. */
export const registerMachines = async (commands: CommandHandler, machineIds: string[]): Promise<void> => {
  for (const machineId of machineIds) {
    await commands.handle(
      'machine',
      machineId,
      {
        type: 'RegisterMachine',
        data: {
          machineId,
          code: machineId,
          name: machineId,
          type: 'press',
          workCenter: 'WC',
          ratedPowerKw: 5,
          idealCycleSeconds: [],
        },
        meta: { now: '2026-11-25T00:00:00Z', actor: 'test' },
      },
      { commandId: `reg-${machineId}`, correlationId: 'reg', source: 'api' },
    );
  }
};
