import type { SchemaRegistry } from '../../app/schemaRegistry';
import type { ChangeMachineState } from '../../domain/machine';
import type { DeviceKind, DeviceReading } from './windowing';

const SUBJECT = /^devices\.([A-Za-z0-9_-]{1,50})\.([A-Za-z0-9][A-Za-z0-9_:@-]{0,99})\.(state|energy|count|telemetry)$/;

const utf8 = new TextDecoder();

/** `subject`: the text as first read, kept for every later message on it (see `knownSubject`). */
type Subject = { subject: string; site: string; machineId: string; kind: DeviceKind };

/** Subjects read before: a plant's machines send on the same few thousand, over and over. */
const subjects = new Map<string, Subject>();
const SUBJECTS_KEPT = 20_000;

const subjectOf = (subject: string): Subject | undefined => {
  const known = subjects.get(subject);
  if (known) return known;
  const parts = SUBJECT.exec(subject);
  if (!parts) return undefined;
  const [, site, machineId, kind] = parts as unknown as [string, string, string, DeviceKind];
  if (subjects.size >= SUBJECTS_KEPT) subjects.clear();
  const named = { subject, site, machineId, kind };
  subjects.set(subject, named);
  return named;
};

/**
 * The same subject as text read before, when it is a device subject: nats.js decodes a new string for
 * every message, and one kept with a message in flight (until its interval closes, a second or more)
 * is copied by every young-generation collection until promoted; the one kept here is old already.
 */
export const knownSubject = (subject: string): string => subjectOf(subject)?.subject ?? subject;

const SCHEMA_OF: Record<DeviceKind, string> = {
  state: 'devices/state',
  energy: 'devices/energy',
  count: 'devices/count',
  telemetry: 'devices/telemetry',
};

/** A device message read from its subject and payload, or why it cannot be taken in. */
export type ParsedDeviceMessage<M> =
  | {
      ok: true;
      site: string;
      /** ISO 8601 device time, as sent. */
      at: string;
      payload: Record<string, unknown>;
      reading: DeviceReading<M>;
    }
  | { ok: false; machineId: string; reason: string };

/** Reads `devices.<site>.<machine>.<kind>` and checks the payload against `devices/<kind>`. */
export const parseDeviceMessage = <M>(
  schemas: SchemaRegistry,
  subject: string,
  data: Uint8Array,
  message: M,
): ParsedDeviceMessage<M> => {
  const named = subjectOf(subject);
  if (!named) return { ok: false, machineId: '', reason: `subject ${subject} is not devices.<site>.<machine>.<kind>` };
  const { site, machineId, kind } = named;
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(utf8.decode(data)) as Record<string, unknown>;
  } catch {
    return { ok: false, machineId, reason: 'the payload is not JSON' };
  }
  return checkDevicePayload(schemas, { site, machineId, kind }, payload, message);
};

/** A payload against `devices/<kind>`, whatever carried it (a NATS subject, an OPC UA monitored item). */
export const checkDevicePayload = <M>(
  schemas: SchemaRegistry,
  { site, machineId, kind }: { site: string; machineId: string; kind: DeviceKind },
  payload: Record<string, unknown>,
  message: M,
): ParsedDeviceMessage<M> => {
  const schema = SCHEMA_OF[kind];
  if (!schemas.valid(schema, payload)) {
    const problems = schemas.check(schema, payload);
    const reason = `invalid ${kind} message: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`;
    return { ok: false, machineId, reason };
  }
  // the schema has checked these fields' types
  const at = payload['at'] as string;
  const reading: DeviceReading<M> = {
    machineId,
    kind,
    at: Date.parse(at),
    kWh: payload['kWh'] as number | undefined,
    total: payload['total'] as number | undefined,
    good: payload['good'] as number | undefined,
    product: payload['product'] as string | undefined,
    values: payload['values'] as Record<string, number> | undefined,
    message,
  };
  return { ok: true, site, at, payload, reading };
};

/** The command a state message asks for; its `at` is the device's time. */
export const stateCommand = (machineId: string, at: string, payload: Record<string, unknown>): ChangeMachineState => ({
  type: 'ChangeMachineState',
  data: {
    machineId,
    state: payload['state'] as ChangeMachineState['data']['state'],
    at,
    ...(payload['reasonCode'] ? { reasonCode: payload['reasonCode'] as string } : {}),
  },
  meta: { now: at, actor: `device:${machineId}` },
});
