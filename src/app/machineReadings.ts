import type { Directive } from '../domain/aggregates';
import { runningHoursAt } from '../domain/machine';
import { MachineNotRegisteredError, type MachineReading } from '../domain/maintenance';
import type { CommandHandler } from './commandHandler';

type AnyCommand = Directive['command'];

/**
 * The command handler with the machine's readings in front of maintenance commands, for every writer
 * (API, imports, tests through the services): a plan's definition gets its machine's running hours and
 * units counted now (null when the machine is not registered, which the plan refuses), and work
 * performed gets them at `performedAt`; a machine's health settings need the machine registered. The
 * decider stays pure; readings a body gives win over these.
 */
export const withMachineReadings = (inner: CommandHandler): CommandHandler => {
  const readingOf = async (machineId: string, at: string): Promise<MachineReading | null> => {
    const { state } = await inner.load('machine', machineId);
    if (state.status !== 'Registered') return null;
    return { runningHours: runningHoursAt(state, at), count: state.countedTotal ?? 0 };
  };

  const prepare = async (command: AnyCommand): Promise<AnyCommand> => {
    switch (command.type) {
      case 'DefineMaintenancePlan':
        return {
          ...command,
          data: { ...command.data, machine: await readingOf(command.data.machineId, command.meta.now) },
        };
      case 'PerformMaintenance': {
        const plan = (await inner.load('maintenance', command.data.planId)).state;
        if (plan.status !== 'Active') return command;
        const machine = await readingOf(plan.machineId, command.data.performedAt ?? command.meta.now);
        return machine ? { ...command, data: { ...command.data, machine } } : command;
      }
      case 'ConfigureHealth':
        // the health charts of a machine that exists: settings for an unknown id are refused (404)
        if (!(await readingOf(command.data.machineId, command.meta.now)))
          throw new MachineNotRegisteredError(command.data.machineId);
        return command;
      default:
        return command;
    }
  };

  const handle: CommandHandler['handle'] = async (aggregate, id, command, context) =>
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: without it the command union over every aggregate is 'too complex to represent' (TS2590)
    inner.handle(aggregate, id, (await prepare(command as AnyCommand)) as never, context);
  return {
    handle,
    // cast: TS2590 again; the directive pairs each aggregate with its own command
    execute: (directive, context) => handle(directive.aggregate, directive.id, directive.command as never, context),
    load: (aggregate, id) => inner.load(aggregate, id),
  };
};
