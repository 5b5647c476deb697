import {
  BUILTIN_REASON_CODES,
  inForce,
  type MasterKind,
  type ReasonKind,
  type Timeline,
} from '../../domain/masterData';
import { canonicalJson } from '../../lib/canonicalJson';
import type { CommandHandler } from '../commandHandler';
import { createMasterLookup } from './lookup';

/** Where a sheet's record goes: a kind of master record, or a reason code of a kind. */
export type SheetTarget = { kind: MasterKind } | { kind: 'reason'; reason?: ReasonKind };

/** A record as it stands: whether it was ever defined, its content in force (active), its number of changes. */
export type CurrentRecord = { defined: boolean; inForce?: unknown; changes: number };

const of = (timeline: Timeline<unknown> | undefined, at: string): CurrentRecord => {
  const current = timeline ? inForce(timeline, at) : undefined;
  return {
    defined: timeline !== undefined,
    ...(current?.active ? { inForce: current.record } : {}),
    changes: timeline?.length ?? 0,
  };
};

/** The record in force at `at` (a built-in reason code counts as in force until the plant defines its own). */
export const currentOf = async (
  commands: Pick<CommandHandler, 'load'>,
  target: SheetTarget,
  code: string,
  at: string,
): Promise<CurrentRecord> => {
  const lookup = createMasterLookup(commands);
  if (target.kind !== 'reason') return of(await lookup.timeline(target.kind, code), at);
  const kind = target.reason as ReasonKind;
  const table = await lookup.reasons(kind);
  const timeline = table.status === 'Defined' ? table.codes[code] : undefined;
  if (timeline) return of(timeline, at);
  const builtin = BUILTIN_REASON_CODES[kind].find((b) => b.code === code);
  return { defined: false, ...(builtin ? { inForce: { names: builtin.names } } : {}), changes: 0 };
};

/** Empty lists and absent fields are the same to a sheet, which cannot tell them apart. */
const normal = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(normal);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => [k, normal(v)]),
  );
};

/** Whether a row's content equals a record in force, as a sheet sees it. */
export const sameRecord = (inForceRecord: unknown, content: unknown): boolean =>
  canonicalJson(normal(inForceRecord)) === canonicalJson(normal(content));
