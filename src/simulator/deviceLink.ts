import { headers as natsHeaders, type NatsConnection } from 'nats';
import { MINUTE, iso } from './catalog';
import type { ApiClient, Must } from './client';
import { aggregates, type Sample } from './condition';
import type { MachineState, StateChange, intervalReport } from './machineModel';
import type { OpcuaMachineServer } from './opcuaMachine';

type Report = ReturnType<typeof intervalReport>;

/** The variables of the demo's OPC UA machine. */
export type OpcuaVariable = 'state' | 'parts' | 'good' | 'kWh' | 'vibration' | 'spindleTempC';
/** The state codes its State variable takes (the OPC UA configuration maps them back). */
export const OPCUA_STATE_CODES: Record<MachineState, number> = {
  idle: 0,
  running: 1,
  setup: 2,
  down: 3,
  maintenance: 4,
};

/** A machine served over OPC UA: its server, whose variables the machine sets (counters as totals). */
export type OpcuaLink = { machineId: string; server: OpcuaMachineServer<OpcuaVariable> };

/**
 * How machines talk to the backbone: HTTP posts, or with `nats` their device subjects
 * (`devices.<site>.<machine>.<kind>`, deduplicated by message id), as a plant's gateways do; the
 * machine named by `opcua` sets the variables of its own OPC UA server, which the backbone reads.
 */
export const createDeviceLink = (deps: {
  api: ApiClient;
  must: Must;
  nats?: NatsConnection;
  opcua?: OpcuaLink;
  site: string;
}) => {
  const { api, must, nats, site, opcua } = deps;
  const served = (machineId: string) => (opcua?.machineId === machineId ? opcua.server : undefined);
  /** The OPC UA machine's totals: what its counters show. */
  const totals = { parts: 0, good: 0, kWh: 0 };
  let lastStateAt = 0;
  /** Over HTTP: each machine's samples since its last report. */
  const buffered = new Map<string, Sample[]>();
  const js = nats?.jetstream();
  let messages = 0;
  const publish = (machineId: string, kind: string, msgId: string, payload: object) => {
    messages += 1;
    const h = natsHeaders();
    h.set('Nats-Msg-Id', msgId);
    return js?.publish(`devices.${site}.${machineId}.${kind}`, JSON.stringify(payload), { headers: h });
  };
  return {
    /** Device messages published so far. */
    messages: () => messages,
    /** The OPC UA machine's counter totals so far. */
    totals: () => ({ ...totals }),
    state: async (machineId: string, change: StateChange): Promise<void> => {
      const server = served(machineId);
      if (server) {
        // a second change in the same instant gets the next millisecond: a client takes a value only when newer
        lastStateAt = Math.max(change.at, lastStateAt + 1);
        return server.set('state', OPCUA_STATE_CODES[change.state], new Date(lastStateAt));
      }
      const payload = {
        state: change.state,
        at: iso(change.at),
        ...(change.reasonCode ? { reasonCode: change.reasonCode } : {}),
      };
      if (js) await publish(machineId, 'state', `${machineId}-state-${change.at}`, payload);
      else await must(`state of ${machineId}`, api.post(`/api/machines/${machineId}/state`, payload));
    },
    /** Energy and counts over [from, at); `final` also moves the device's time past its open interval, so the last one closes. */
    report: async (machineId: string, from: number, at: number, report: Report, final: boolean): Promise<void> => {
      const server = served(machineId);
      if (server) {
        totals.kWh = Math.round((totals.kWh + report.kWh) * 1e4) / 1e4;
        totals.parts += report.counts?.total ?? 0;
        totals.good += report.counts?.good ?? 0;
        server.set('kWh', totals.kWh);
        server.set('parts', totals.parts);
        server.set('good', totals.good);
        return;
      }
      if (js) {
        const send = (kind: string, payload: object) => publish(machineId, kind, `${machineId}-${kind}-${at}`, payload);
        await send('energy', { kWh: report.kWh, at: iso(at - 1) });
        if (report.counts) await send('count', { ...report.counts, at: iso(at - 1) });
        // a message without values moves the device's time only (a heartbeat), past its open intervals
        if (final) await send('telemetry', { at: iso(at + 10 * MINUTE) });
        return;
      }
      const interval = { intervalStart: iso(from), intervalEnd: iso(at) };
      const samples = buffered.get(machineId) ?? [];
      buffered.delete(machineId);
      if (samples.length > 0)
        await must(
          `telemetry of ${machineId}`,
          api.post(`/api/machines/${machineId}/telemetry`, { ...interval, signals: aggregates(samples) }),
        );
      await must(
        `energy of ${machineId}`,
        api.post(`/api/machines/${machineId}/energy`, { ...interval, kWh: report.kWh }),
      );
      if (report.counts)
        await must(
          `counts of ${machineId}`,
          api.post(`/api/machines/${machineId}/counts`, { ...interval, ...report.counts }),
        );
    },
    /**
     * A running machine's sample, as it is taken: set on its OPC UA server or published over NATS
     * then; over HTTP its gateway sends the interval's aggregates with the next report.
     */
    sample: async (machineId: string, sample: Sample): Promise<void> => {
      const server = served(machineId);
      if (server) {
        for (const [signal, value] of Object.entries(sample.values))
          server.set(signal as OpcuaVariable, value, new Date(sample.at));
        return;
      }
      if (js) {
        await publish(machineId, 'telemetry', `${machineId}-telemetry-${sample.at}`, {
          at: iso(sample.at),
          values: sample.values,
        });
        return;
      }
      buffered.set(machineId, [...(buffered.get(machineId) ?? []), sample]);
    },
  };
};

export type DeviceLink = ReturnType<typeof createDeviceLink>;
