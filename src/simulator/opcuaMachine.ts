import {
  DataType,
  OPCUAServer,
  StatusCodes,
  type OPCUAServerOptions,
  type UAVariable,
  type VariantLike,
} from 'node-opcua';

/** A variable of the machine's address space: its browse name and OPC UA data type. */
export type MachineVariable = { name: string; dataType: DataType };

export type OpcuaMachineOptions<V extends string> = {
  port: number;
  /** The endpoint's path: opc.tcp://host:port/<resourcePath>. */
  resourcePath: string;
  /** The machine's object in the address space (ns=1;s=<device>.<Variable>). */
  device: string;
  variables: Record<V, MachineVariable>;
  /** Each variable's value when the server starts; a variable without one waits for its first (BadWaitingForInitialData). */
  initial: Partial<Record<V, number>>;
  server?: OPCUAServerOptions;
};

/**
 * A machine's OPC UA server (a real node-opcua server) over the values the machine keeps: the tests'
 * simulated press and the demo's OPC UA machine. It may be stopped and started again; the machine's
 * values live on in between, as a machine's counters do when its controller's server restarts.
 */
export const opcuaMachineServer = <V extends string>(options: OpcuaMachineOptions<V>) => {
  const { variables: spec, device } = options;
  const values = new Map<V, { value: number; at?: Date }>(
    Object.entries(options.initial).map(([name, value]) => [name as V, { value: value as number }]),
  );
  let server: OPCUAServer | undefined;
  const variables = new Map<V, UAVariable>();
  const variant = (name: V, value: number): VariantLike => ({ dataType: spec[name].dataType, value });
  return {
    endpointUrl: (host = '127.0.0.1') => `opc.tcp://${host}:${options.port}/${options.resourcePath}`,
    /** The node id a client monitors for a variable. */
    nodeId: (name: V) => `ns=1;s=${device}.${spec[name].name}`,
    async start() {
      const started = new OPCUAServer({
        port: options.port,
        resourcePath: `/${options.resourcePath}`,
        allowAnonymous: true,
        ...options.server,
      });
      await started.initialize();
      const space = started.engine.addressSpace;
      if (!space) throw new Error('no address space');
      const ns = space.getOwnNamespace();
      const object = ns.addObject({ organizedBy: space.rootFolder.objects, browseName: device });
      for (const name of Object.keys(spec) as V[]) {
        const variable = ns.addVariable({
          componentOf: object,
          browseName: spec[name].name,
          nodeId: `s=${device}.${spec[name].name}`,
          dataType: spec[name].dataType,
          minimumSamplingInterval: 20,
        });
        const kept = values.get(name);
        if (kept) variable.setValueFromSource(variant(name, kept.value), StatusCodes.Good, kept.at);
        else variable.setValueFromSource(variant(name, 0), StatusCodes.BadWaitingForInitialData);
        variables.set(name, variable);
      }
      await started.start();
      server = started;
    },
    async stop() {
      await server?.shutdown(0);
      server = undefined;
      variables.clear();
    },
    /** The machine changes a value (at `at`, its source time, else now); its server, when up, shows it. */
    set(name: V, value: number, at?: Date) {
      values.set(name, { value, ...(at ? { at } : {}) });
      variables.get(name)?.setValueFromSource(variant(name, value), StatusCodes.Good, at);
    },
    value: (name: V): number | undefined => values.get(name)?.value,
  };
};

export type OpcuaMachineServer<V extends string> = ReturnType<typeof opcuaMachineServer<V>>;
export { DataType };
