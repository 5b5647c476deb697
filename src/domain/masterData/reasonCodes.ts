import type * as Schema from '../generated';
import { unreachable, type Command, type Decider, type Event } from '../messages';
import type { DeactivationInput, RecordInput } from './record';
import { BUILTIN_REASON_CODES } from './builtinReasons';
import {
  decideChange,
  inForce,
  withEntry,
  type Names,
  type RecordDeactivation,
  type RecordVersion,
  type Timeline,
} from './timeline';

export const REASON_KINDS = ['downtime', 'scrap', 'nonconformance', 'hold'] as const;
export type ReasonKind = (typeof REASON_KINDS)[number];

export type ReasonCodeRecord = Schema.MasterDataReasonCodeRecord;

/** A plant's reason codes of one kind are one table, one stream: `reasoncodes-<kind>`. */
export type ReasonCodeDefined = Event<'ReasonCodeDefined', Schema.ReasonCodeDefinedV1>;
export type ReasonCodeRevised = Event<'ReasonCodeRevised', Schema.ReasonCodeRevisedV1>;
export type ReasonCodeDeactivated = Event<'ReasonCodeDeactivated', Schema.ReasonCodeDeactivatedV1>;
export type ReasonCodeEvent = ReasonCodeDefined | ReasonCodeRevised | ReasonCodeDeactivated;

export type DefineReasonCode = Command<'DefineReasonCode', RecordInput<ReasonCodeRecord> & { kind: ReasonKind }>;
export type ReviseReasonCode = Command<'ReviseReasonCode', RecordInput<ReasonCodeRecord> & { kind: ReasonKind }>;
export type DeactivateReasonCode = Command<'DeactivateReasonCode', DeactivationInput & { kind: ReasonKind }>;
export type ReasonCodeCommand = DefineReasonCode | ReviseReasonCode | DeactivateReasonCode;

export type ReasonTableState =
  | { status: 'Initial' }
  | { status: 'Defined'; kind: ReasonKind; codes: Readonly<Record<string, Timeline<ReasonCodeRecord>>> };

export const reasonCodeEventTypes = [
  'ReasonCodeDefined',
  'ReasonCodeRevised',
  'ReasonCodeDeactivated',
] as const satisfies readonly ReasonCodeEvent['type'][];

const rules = { rule: 'reason-code', label: 'reason code', validate: () => [] };

export const reasonCodesDecider: Decider<ReasonCodeCommand, ReasonCodeEvent, ReasonTableState> = {
  category: 'reasoncodes',
  initialState: { status: 'Initial' },
  eventTypes: reasonCodeEventTypes,
  decide: (command, state) => {
    const { kind, ...data } = command.data;
    const timeline = state.status === 'Defined' ? state.codes[data.code] : undefined;
    const change =
      command.type === 'DeactivateReasonCode'
        ? { change: 'deactivate' as const, ...command.data }
        : { change: command.type === 'DefineReasonCode' ? ('define' as const) : ('revise' as const), ...command.data };
    const outcome = decideChange(timeline, change, command.meta.now, {
      ...rules,
      label: `${kind} reason code`,
    });
    if (!outcome) return [];
    switch (outcome.event) {
      case 'Defined':
        return [{ type: 'ReasonCodeDefined', data: { kind, ...outcome.data } }];
      case 'Revised':
        return [{ type: 'ReasonCodeRevised', data: { kind, ...outcome.data } }];
      case 'Deactivated':
        return [{ type: 'ReasonCodeDeactivated', data: { kind, ...outcome.data } }];
      default:
        return unreachable(outcome);
    }
  },
  evolve: (state, event) => {
    const { kind, ...data } = event.data;
    const codes = state.status === 'Defined' ? state.codes : {};
    const outcome =
      event.type === 'ReasonCodeDeactivated'
        ? { event: 'Deactivated' as const, data: data as RecordDeactivation }
        : {
            event: event.type === 'ReasonCodeDefined' ? ('Defined' as const) : ('Revised' as const),
            data: data as RecordVersion<ReasonCodeRecord>,
          };
    return { status: 'Defined', kind, codes: { ...codes, [data.code]: withEntry(codes[data.code] ?? [], outcome) } };
  },
};

/** A reason code as a list shows it: the plant's version in force, else the built-in one. */
export type ReasonCodeView = {
  kind: ReasonKind;
  code: string;
  names: Names;
  active: boolean;
  source: 'plant' | 'builtin';
  version?: number;
  effectiveFrom?: string;
};

/** The plant's codes of a kind at `at` over the built-in table: a plant code of the same code overrides it. */
export const reasonCodesAt = (table: ReasonTableState, kind: ReasonKind, at: string): ReasonCodeView[] => {
  const plant = table.status === 'Defined' ? table.codes : {};
  const views = new Map<string, ReasonCodeView>();
  for (const { code, names } of BUILTIN_REASON_CODES[kind])
    views.set(code, { kind, code, names, active: true, source: 'builtin' });
  for (const [code, timeline] of Object.entries(plant)) {
    const current = inForce(timeline, at);
    if (!current) continue;
    const { version, effectiveFrom, record, active } = current;
    views.set(code, { kind, code, names: record.names, active, source: 'plant', version, effectiveFrom });
  }
  return [...views.values()].sort((a, b) => a.code.localeCompare(b.code));
};

/**
 * Whether a command may use a reason code. Until the plant defines a code of the kind, any code is
 * accepted (plants without master data work as before); from then on, only the plant's codes and
 * the built-in ones, active at `at`.
 */
export const checkReasonCode = (
  table: ReasonTableState,
  kind: ReasonKind,
  code: string,
  at: string,
): 'accepted' | 'unknown' | 'inactive' => {
  if (table.status === 'Initial') return 'accepted';
  const found = reasonCodesAt(table, kind, at).find((view) => view.code === code);
  if (!found) return 'unknown';
  return found.active ? 'accepted' : 'inactive';
};
