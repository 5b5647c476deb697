/**
 * The shapes every aggregate and process shares. Deciders are pure: time, the actor and any ids
 * arrive with the command; nothing here reads a clock or a random source.
 */

export type Event<Type extends string, Data extends Record<string, unknown>> = Readonly<{ type: Type; data: Data }>;

/** What every command carries besides its data: who sends it and when, as the caller saw it. */
export type CommandMeta = Readonly<{
  /** ISO 8601 instant at which the command is decided. */
  now: string;
  /** User, device or process. */
  actor: string;
  /** The actor's roles, where a rule depends on them (a use-as-is disposition needs `quality`). */
  roles?: readonly string[];
}>;

export type Command<Type extends string, Data extends Record<string, unknown>> = Readonly<{
  type: Type;
  data: Data;
  meta: CommandMeta;
}>;

export type AnyEvent = Event<string, Record<string, unknown>>;
export type AnyCommand = Command<string, Record<string, unknown>>;

/** An aggregate: how its events fold into state, and what a command decides given that state. */
export type Decider<C, E extends AnyEvent, S> = {
  /** The stream category, e.g. `order` for `order-<id>`. */
  category: string;
  initialState: S;
  decide: (command: C, state: S) => E[];
  evolve: (state: S, event: E) => S;
  /** The event types it folds; others in the stream are ignored. */
  eventTypes: readonly E['type'][];
};

export const unreachable = (value: never): never => {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
};

export const fold = <C, E extends AnyEvent, S>(decider: Decider<C, E, S>, events: readonly E[], from?: S): S =>
  events.reduce(decider.evolve, from ?? decider.initialState);

/** The stream of an aggregate instance. */
export const streamOf = (category: string, id: string): string => `${category}-${id}`;
