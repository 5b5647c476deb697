import { headers as natsHeaders, type NatsConnection } from 'nats';
import { MINUTE, iso } from './catalog';
import type { ApiClient, Must } from './client';
import type { StateChange, intervalReport } from './machineModel';

type Report = ReturnType<typeof intervalReport>;

/**
 * How machines talk to the backbone: HTTP posts, or with `nats` their device subjects
 * (`devices.<site>.<machine>.<kind>`, deduplicated by message id), as a plant's gateways do.
 */
export const createDeviceLink = (deps: { api: ApiClient; must: Must; nats?: NatsConnection; site: string }) => {
  const { api, must, nats, site } = deps;
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
    state: async (machineId: string, change: StateChange): Promise<void> => {
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
      if (js) {
        const send = (kind: string, payload: object) => publish(machineId, kind, `${machineId}-${kind}-${at}`, payload);
        await send('energy', { kWh: report.kWh, at: iso(at - 1) });
        if (report.counts) await send('count', { ...report.counts, at: iso(at - 1) });
        if (final) await send('telemetry', { at: iso(at + 10 * MINUTE), values: { spindleTempC: 40 } });
        return;
      }
      const interval = { intervalStart: iso(from), intervalEnd: iso(at) };
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
  };
};

export type DeviceLink = ReturnType<typeof createDeviceLink>;
