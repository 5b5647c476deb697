import { setTimeout as sleep } from 'node:timers/promises';
import type { ConfigOpcuaMachine } from '../domain/generated';
import { freePort } from '../lib/freePort';
import type { Logger } from '../lib/logger';
import type { MachineState } from '../simulator/machineModel';
import { OPCUA_STATE_CODES, type OpcuaLink, type OpcuaVariable } from '../simulator/deviceLink';
import { DataType, opcuaMachineServer } from '../simulator/opcuaMachine';
import type { SimClock } from '../simulator/simClock';

const VARIABLES: Record<OpcuaVariable, { name: string; dataType: DataType }> = {
  state: { name: 'State', dataType: DataType.Int32 },
  parts: { name: 'PartCounter', dataType: DataType.UInt32 },
  good: { name: 'GoodCounter', dataType: DataType.UInt32 },
  kWh: { name: 'EnergyMeter', dataType: DataType.Double },
  vibration: { name: 'VibrationRms', dataType: DataType.Double },
  spindleTempC: { name: 'SpindleTemperature', dataType: DataType.Double },
};

export type DemoOpcuaMachine = { config: ConfigOpcuaMachine; link: OpcuaLink };

/**
 * The demo's OPC UA machine: a node-opcua server on the loopback over the machine's state, part and
 * good counters, energy meter and two signals, and the configuration the backbone reads it with (as
 * OPCUA_FILE would give it). Its counters start at 0; its state and signals wait for their first value.
 */
export const startDemoOpcuaMachine = async (machineId: string): Promise<DemoOpcuaMachine> => {
  const server = opcuaMachineServer<OpcuaVariable>({
    port: await freePort(),
    resourcePath: 'demo',
    device: 'Machine1',
    variables: VARIABLES,
    initial: { parts: 0, good: 0, kWh: 0 },
  });
  await server.start();
  const config: ConfigOpcuaMachine = {
    machineId,
    site: 'plant1',
    endpointUrl: server.endpointUrl(),
    securityMode: 'None',
    securityPolicy: 'None',
    samplingInterval: 50,
    nodes: {
      state: {
        nodeId: server.nodeId('state'),
        map: Object.fromEntries(
          Object.entries(OPCUA_STATE_CODES).map(([state, code]) => [String(code), state as MachineState]),
        ),
      },
      partCounter: server.nodeId('parts'),
      goodCounter: server.nodeId('good'),
      energyMeter: server.nodeId('kWh'),
      telemetry: { vibration: server.nodeId('vibration'), spindleTempC: server.nodeId('spindleTempC') },
    },
  };
  return { config, link: { machineId, server } };
};

/** Polls `ready` every 50 ms until it holds or `ms` pass; answers whether it held. */
const until = async (ready: () => boolean | Promise<boolean>, ms: number): Promise<boolean> => {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await ready()) return true;
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
};

/**
 * The run is over: the adapter has taken the machine's last totals in (their counts in open device
 * intervals), then the simulated clock runs two more minutes so those intervals close, and their counts
 * are appended before the summary reads them. A wait that runs out is logged: the summary shows the
 * difference.
 */
export const settleOpcuaMachine = async (deps: {
  opcua: DemoOpcuaMachine;
  adapter: { taken: (machineId: string) => Partial<Record<'partCounter' | 'goodCounter' | 'energyMeter', number>> };
  clock: SimClock;
  end: number;
  logger: Logger;
  /** The parts the backbone has counted for the machine (its ProductionCounted events). */
  counted: () => Promise<number>;
}): Promise<void> => {
  const { machineId, server } = deps.opcua.link;
  const shown = () => ({
    partCounter: server.value('parts') ?? 0,
    goodCounter: server.value('good') ?? 0,
    energyMeter: server.value('kWh') ?? 0,
  });
  const taken = await until(() => {
    const now = deps.adapter.taken(machineId);
    return Object.entries(shown()).every(([counter, total]) => now[counter as keyof typeof now] === total);
  }, 10_000);
  if (!taken)
    deps.logger.warn('the OPC UA machine’s last totals were not taken in within 10 s', {
      machineId,
      shown: shown(),
      taken: deps.adapter.taken(machineId),
    });
  const after = Math.max(deps.end, deps.clock.now().getTime()) + 2 * 60_000;
  deps.clock.limit(after);
  await until(() => deps.clock.now().getTime() >= after, 10_000);
  const parts = shown().partCounter;
  if (!(await until(async () => (await deps.counted()) >= parts, 10_000)))
    deps.logger.warn('the OPC UA machine’s last counts were not appended within 10 s', { machineId, parts });
};
