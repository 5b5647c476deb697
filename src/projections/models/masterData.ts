import {
  MASTER_KINDS,
  masterKinds,
  withEntry,
  type MasterKind,
  type RecordDeactivation,
  type RecordVersion,
  type TimelineEntry,
} from '../../domain/masterData';
import { isDomainEventType } from '../../domain/aggregates';
import type { Projection } from '../runner';

const SUFFIXES = ['Defined', 'Revised', 'Deactivated'] as const;
const kindOfPrefix = new Map<string, MasterKind>(masterKinds.map((kind) => [MASTER_KINDS[kind].kind.prefix, kind]));

/** The kind and change of a master-data event type: `ProductRevised` is a product's revision. */
const parse = (type: string): { kind: MasterKind; suffix: (typeof SUFFIXES)[number] } | undefined => {
  const suffix = SUFFIXES.find((s) => type.endsWith(s));
  const kind = suffix ? kindOfPrefix.get(type.slice(0, -suffix.length)) : undefined;
  return suffix && kind ? { kind, suffix } : undefined;
};

export const masterDataEventTypes = masterKinds
  .flatMap((kind) => SUFFIXES.map((suffix) => `${MASTER_KINDS[kind].kind.prefix}${suffix}`))
  .filter(isDomainEventType);

/**
 * Master data for lists and search: one document per record (`<kind>:<code>`) with its whole
 * timeline, so the version in force at any instant, and whether it is active, is computed when asked.
 */
export const masterDataProjection: Projection = {
  name: 'masterData',
  version: 1,
  collections: { records: { indexes: ['kind'] } },
  eventTypes: masterDataEventTypes,
  async apply(event, ctx) {
    const parsed = parse(event.type);
    if (!parsed) return;
    const data = event.data as RecordVersion<unknown> | RecordDeactivation;
    const id = `${parsed.kind}:${data.code}`;
    const change =
      parsed.suffix === 'Deactivated'
        ? { event: 'Deactivated' as const, data: data as RecordDeactivation }
        : { event: parsed.suffix, data: data as RecordVersion<unknown> };
    await ctx.update('records', id, (doc) => ({
      _id: id,
      kind: parsed.kind,
      code: data.code,
      timeline: withEntry((doc?.['timeline'] as TimelineEntry<unknown>[] | undefined) ?? [], change),
    }));
  },
};
