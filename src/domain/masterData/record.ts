import type { Command, Decider, Event } from '../messages';
import {
  decideChange,
  versionCount,
  withEntry,
  type RecordDeactivation,
  type RecordRules,
  type RecordVersion,
  type Timeline,
} from './timeline';

/**
 * A versioned master record: one stream per record (`product-<code>`), each change an event
 * (`ProductDefined`, `ProductRevised`, `ProductDeactivated`) with the date it takes effect. Every kind
 * (sites, lines, work centers, products, materials, routings, BOMs, inspection plans, employees) is
 * this one decider with its own record type and checks.
 */
export type RecordEvent<P extends string, R> =
  | Event<`${P}Defined`, RecordVersion<R>>
  | Event<`${P}Revised`, RecordVersion<R>>
  | Event<`${P}Deactivated`, RecordDeactivation>;

/** Define or revise: the whole record; `effectiveFrom` defaults to the command's time. */
export type RecordInput<R> = { code: string; effectiveFrom?: string; record: R };
export type DeactivationInput = { code: string; effectiveFrom?: string; reason?: string };

export type RecordCommand<P extends string, R> =
  | Command<`Define${P}`, RecordInput<R>>
  | Command<`Revise${P}`, RecordInput<R>>
  | Command<`Deactivate${P}`, DeactivationInput>;

export type RecordState<R> =
  { status: 'Initial' } | { status: 'Defined'; code: string; versions: number; timeline: Timeline<R> };

/** A kind of master record: its event prefix, stream category and checks. */
export type RecordKind<P extends string, R> = RecordRules<R> & { prefix: P; category: string };

type Verb = 'Define' | 'Revise' | 'Deactivate';
type Outcome = 'Defined' | 'Revised' | 'Deactivated';

export const recordDecider = <P extends string, R>(
  kind: RecordKind<P, R>,
): Decider<RecordCommand<P, R>, RecordEvent<P, R>, RecordState<R>> => {
  const { prefix } = kind;
  const outcomeOf = (type: string): Outcome => type.slice(prefix.length) as Outcome;
  const verbOf = (type: string): Verb => type.slice(0, type.length - prefix.length) as Verb;
  return {
    category: kind.category,
    initialState: { status: 'Initial' },
    eventTypes: [`${prefix}Defined`, `${prefix}Revised`, `${prefix}Deactivated`] as RecordEvent<P, R>['type'][],
    decide: (command, state) => {
      const timeline = state.status === 'Defined' ? state.timeline : undefined;
      const verb = verbOf(command.type);
      const change =
        verb === 'Deactivate'
          ? { change: 'deactivate' as const, ...(command.data as DeactivationInput) }
          : {
              change: verb === 'Define' ? ('define' as const) : ('revise' as const),
              ...(command.data as RecordInput<R>),
            };
      const outcome = decideChange(timeline, change, command.meta.now, kind);
      // the event type is the kind's prefix and the outcome: ProductDefined, ProductRevised...
      return outcome ? [{ type: `${prefix}${outcome.event}`, data: outcome.data } as RecordEvent<P, R>] : [];
    },
    evolve: (state, event) => {
      const outcome = outcomeOf(event.type);
      const timeline = withEntry(state.status === 'Defined' ? state.timeline : [], {
        event: outcome,
        data: event.data,
      } as Parameters<typeof withEntry<R>>[1]);
      return { status: 'Defined', code: event.data.code, versions: versionCount(timeline), timeline };
    },
  };
};
