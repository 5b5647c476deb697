import { randomUUID } from 'node:crypto';
import { securityStreamOf, type SecurityEvent } from '../../domain/security';
import type { EventStore, RecordedEvent, VerifyResult } from '../eventStore';
import type { SecurityDirectory } from './directory';

const DAY = 86_400_000;

export type SecurityQuery = {
  types?: string[];
  /** Matches the event's actor or the account it is about (subject, personId, keyId, deviceId). */
  actor?: string;
  from?: string;
  to?: string;
  limit?: number;
};

/** An event of the trail as the audit administrator sees it: secrets, hashes and verifiers left out. */
const redact = (event: RecordedEvent): RecordedEvent => {
  const data: Record<string, unknown> = { ...event.data };
  // untyped on purpose: any event of the trail, whatever its type, loses the secret fields it may carry
  const credential = data['credential'] as Record<string, unknown> | undefined;
  if (credential) {
    const { sealed: _sealed, ...params } = credential;
    data['credential'] = params;
  }
  if ('sealedSecret' in data) delete data['sealedSecret'];
  if (Array.isArray(data['recoveryCodes'])) data['recoveryCodes'] = data['recoveryCodes'].length;
  if ('verifier' in data) delete data['verifier'];
  return { ...event, data };
};

const about = (event: RecordedEvent, who: string): boolean =>
  event.metadata.actor === who ||
  ['subject', 'personId', 'keyId', 'deviceId'].some((field) => event.data[field] === who);

/**
 * The security audit trail: security events appended to one stream per UTC day (hash-chained like
 * every stream), read together with the people, device and key streams. A query never shows what
 * is older than the retention; the log itself is append-only, so "kept for" means at least that long.
 */
export const createSecurityLog = (deps: {
  store: EventStore;
  directory: SecurityDirectory;
  now: () => Date;
  retentionDays: number;
}) => {
  const retainedFrom = (): number => deps.now().getTime() - deps.retentionDays * DAY;
  const days = (from: number, to: number): string[] => {
    const out: string[] = [];
    for (let day = Math.floor(from / DAY) * DAY; day <= to; day += DAY)
      out.push(securityStreamOf(new Date(day).toISOString()));
    return out;
  };
  return {
    retentionDays: deps.retentionDays,
    async record(event: SecurityEvent, actor: string, correlationId: string): Promise<void> {
      const at = deps.now().toISOString();
      await deps.store.append(
        securityStreamOf(at),
        [
          {
            id: randomUUID(),
            type: event.type,
            data: event.data,
            metadata: { occurredAt: at, actor, source: 'system', correlationId, causationId: correlationId },
          },
        ],
        { expectedRevision: 'any' },
      );
    },
    async query(q: SecurityQuery): Promise<{ events: RecordedEvent[]; truncated: boolean; retainedFrom: string }> {
      const floor = retainedFrom();
      const from = Math.max(floor, q.from ? Date.parse(q.from) : floor);
      const to = Math.min(deps.now().getTime(), q.to ? Date.parse(q.to) : Number.POSITIVE_INFINITY);
      const limit = q.limit ?? 1000;
      await deps.directory.refresh();
      const found: RecordedEvent[] = [...deps.directory.events()];
      for (const stream of days(from, to)) found.push(...(await deps.store.readStream(stream)));
      const types = q.types && q.types.length > 0 ? new Set(q.types) : undefined;
      const chosen = found
        .filter((e) => {
          const at = Date.parse(e.recordedAt);
          return at >= from && at <= to && (!types || types.has(e.type)) && (!q.actor || about(e, q.actor));
        })
        .sort((a, b) => (a.position < b.position ? -1 : 1));
      return {
        events: chosen.slice(0, limit).map(redact),
        truncated: chosen.length > limit,
        retainedFrom: new Date(floor).toISOString(),
      };
    },
    /** Verifies the hash chain of every day stream kept and every people, device and key stream. */
    async verify(): Promise<{ ok: boolean; streams: number; events: number; broken: VerifyResult[] }> {
      await deps.directory.refresh();
      const streams = new Set(deps.directory.events().map((e) => e.streamId));
      for (const day of days(retainedFrom(), deps.now().getTime())) streams.add(day);
      const results = await Promise.all([...streams].map((s) => deps.store.verifyStream(s)));
      const present = results.filter((r) => r.events > 0);
      const broken = present.filter((r) => !r.ok);
      return {
        ok: broken.length === 0,
        streams: present.length,
        events: present.reduce((n, r) => n + r.events, 0),
        broken,
      };
    },
  };
};

export type SecurityLog = ReturnType<typeof createSecurityLog>;
