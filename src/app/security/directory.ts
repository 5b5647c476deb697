import { apiKeyDecider, type ApiKeyEvent, type ApiKeyState } from '../../domain/apikey';
import { deviceDecider, type DeviceEvent, type DeviceState } from '../../domain/device';
import { personDecider, type PersonEvent, type PersonState } from '../../domain/people';
import type { EventStore, Position, RecordedEvent } from '../eventStore';

type Known<S> = Exclude<S, { status: 'Initial' }>;
export type KnownPerson = Known<PersonState>;
export type KnownKey = Known<ApiKeyState> & { createdAt: string };
export type KnownDevice = Known<DeviceState>;

const PREFIXES = ['person-', 'device-', 'apikey-'];

/**
 * People, devices and keys as the log has them, for lookups across streams (badge ids, key names,
 * imported key hashes, lists) and for the security audit. It catches up on demand: each `refresh`
 * reads only what was appended after the last one, by this process or by another (the keys CLI).
 */
export const createSecurityDirectory = (store: EventStore) => {
  let after: Position | undefined;
  let running: Promise<void> = Promise.resolve();
  const people = new Map<string, PersonState>();
  const keys = new Map<string, KnownKey>();
  const devices = new Map<string, DeviceState>();
  const events: RecordedEvent[] = [];
  const badges = new Map<string, string>();
  const names = new Map<string, string>();
  const legacy = new Map<string, string>();

  const apply = (event: RecordedEvent): void => {
    events.push(event);
    const id = event.streamId.slice(event.streamId.indexOf('-') + 1);
    const e = { type: event.type, data: event.data };
    if (event.streamId.startsWith('person-')) {
      const before = people.get(id) ?? personDecider.initialState;
      const next = personDecider.evolve(before, e as PersonEvent);
      people.set(id, next);
      if (before.status !== 'Initial' && before.profile.badgeId) badges.delete(before.profile.badgeId);
      if (next.status !== 'Initial' && next.profile.badgeId) badges.set(next.profile.badgeId, id);
    } else if (event.streamId.startsWith('device-')) {
      devices.set(id, deviceDecider.evolve(devices.get(id) ?? deviceDecider.initialState, e as DeviceEvent));
    } else {
      const before: ApiKeyState = keys.get(id) ?? apiKeyDecider.initialState;
      const next = apiKeyDecider.evolve(before, e as ApiKeyEvent);
      if (next.status === 'Initial') return;
      keys.set(id, {
        ...next,
        createdAt: before.status === 'Initial' ? event.recordedAt : (before as KnownKey).createdAt,
      });
      names.set(next.name, id);
      if (next.scheme === 'sha256-legacy') legacy.set(next.verifier, id);
      else if (before.status !== 'Initial' && before.scheme === 'sha256-legacy') legacy.delete(before.verifier);
    }
  };

  const catchUp = async (): Promise<void> => {
    for (;;) {
      const page = await store.readAll({ after, maxCount: 1000, filter: { streamPrefixes: PREFIXES } });
      page.events.forEach(apply);
      after = page.checkpoint ?? after;
      if (page.isEnd) return;
    }
  };
  const known = <S extends { status: string }>(map: Map<string, S>): Known<S>[] =>
    [...map.values()].filter((s): s is Known<S> => s.status !== 'Initial');

  return {
    /** Reads what was appended since the last refresh; concurrent calls share one read. */
    refresh(): Promise<void> {
      running = running.then(catchUp, catchUp);
      return running;
    },
    people: (): KnownPerson[] => known(people),
    person: (personId: string): KnownPerson | undefined => {
      const state = people.get(personId);
      return state && state.status !== 'Initial' ? state : undefined;
    },
    /** The person holding a badge id, from the accounts' own badge field. */
    byBadge: (badgeId: string): string | undefined => badges.get(badgeId),
    keys: (): KnownKey[] => [...keys.values()],
    keyByName: (name: string): KnownKey | undefined => {
      const id = names.get(name);
      return id ? keys.get(id) : undefined;
    },
    keyIdByLegacyHash: (sha256: string): string | undefined => legacy.get(sha256),
    devices: (): KnownDevice[] => known(devices),
    device: (deviceId: string): KnownDevice | undefined => {
      const state = devices.get(deviceId);
      return state && state.status !== 'Initial' ? state : undefined;
    },
    /** Every event of the people, device and key streams, in log order. */
    events: (): readonly RecordedEvent[] => events,
  };
};

export type SecurityDirectory = ReturnType<typeof createSecurityDirectory>;
