import { deciders, type AggregateName, type CommandOf, type Directive } from '../domain/aggregates';
import { WrongExpectedRevisionError } from '../domain/errors';
import type { AnyCommand, AnyEvent, Decider } from '../domain/messages';
import { HOT_STREAMS, type EventSource, type EventStore, type ExpectedRevision } from './eventStore';
import { deterministicUuid } from '../lib/ids';
import { checkNotFuture, clientTimesOf } from '../domain/clientTime';

/** How far ahead of the server's time a client's time may be, by default: 5 minutes. */
export const DEFAULT_CLIENT_CLOCK_SKEW_MS = 300_000;

/** Where a command comes from, beyond what the domain sees. */
export type CommandContext = {
  /** Identifies the command: a retried command with the same id writes nothing. */
  commandId: string;
  /**
   * The id was made for this command alone (an HTTP request without an Idempotency-Key): no one can send
   * it again, so the handler does not remember it among the stream's last command ids. A busy stream's
   * window then holds only ids that can come back (devices, process managers, idempotency keys).
   */
  oneOff?: boolean;
  correlationId: string;
  source: EventSource;
  /** The input's own id (scan, device message, ERP message), recorded in the events. */
  inputId?: string;
  /** From If-Match: the revision the caller last saw. Omitted: conflicts are retried. */
  expectedRevision?: number;
  /**
   * When the server received the input (an HTTP request, a device message), recorded as the events'
   * `receivedAt`. Given, the command's client times may not be later than it plus the allowed skew.
   * Omitted for the system's own commands (process managers), whose times come from recorded events.
   */
  receivedAt?: string;
  /** The input field the command's time (`meta.now`) came from, named in a refusal. Default `/at`. */
  clientTimeField?: string;
  /** The client's own id of its request (HTTP X-Request-Id), recorded as `clientRequestId`. */
  clientRequestId?: string;
};

export type CommandResult = {
  streamId: string;
  /** The stream's revision after the command (-1: the stream does not exist). */
  revision: number;
  position?: string;
  events: AnyEvent[];
  /** True when the command id had already been handled for this stream: nothing was written. */
  duplicate: boolean;
  /** Time spent in decide and evolve, in milliseconds. */
  domainMs: number;
};

/**
 * A stream's folded state as last read. `mark`: the store's change mark read just before the stream was
 * read to its end (a query's `load`), so a later `load` that finds the same mark knows nothing was written
 * since, by anyone, and need not read the stream again; absent when the state comes from this handler's
 * own decision (read again at the next load).
 */
type CacheEntry = { revision: number; state: unknown; commandIds: Set<string>; mark?: string };

export type CommandHandlerOptions = {
  store: EventStore;
  /** Streams whose folded state is kept in memory. Default HOT_STREAMS (2,000). */
  cacheSize?: number;
  /** Retries after losing a race for the same stream. Default 5. */
  maxRetries?: number;
  /** The last command ids kept per cached stream for duplicate detection (not one-off ids). Default 1,000. */
  rememberCommands?: number;
  /** How far ahead of the server's time a client's time may be (CLIENT_CLOCK_SKEW_SECONDS). Default 300,000 ms. */
  clientClockSkewMs?: number;
};

export type CommandHandler = {
  handle<K extends AggregateName>(
    aggregate: K,
    id: string,
    command: CommandOf[K],
    context: CommandContext,
  ): Promise<CommandResult>;
  /** A directive from a process manager: its aggregate, id and command. */
  execute(directive: Directive, context: CommandContext): Promise<CommandResult>;
  /** Folded state of a stream (cached), for queries that need an aggregate's view. */
  load<K extends AggregateName>(
    aggregate: K,
    id: string,
  ): Promise<{ revision: number; state: (typeof deciders)[K]['initialState'] }>;
};

const now = (): bigint => process.hrtime.bigint();
const ms = (from: bigint): number => Number(now() - from) / 1e6;

/**
 * Load, decide, append with the expected revision, retry on conflict. State is cached per stream
 * and brought up to date by reading only the events after the cached revision, so a long stream
 * costs what its new events cost.
 */
export const createCommandHandler = (options: CommandHandlerOptions): CommandHandler => {
  const { store } = options;
  const cacheSize = options.cacheSize ?? HOT_STREAMS;
  const maxRetries = options.maxRetries ?? 5;
  const remember = options.rememberCommands ?? 1_000;
  const skewMs = options.clientClockSkewMs ?? DEFAULT_CLIENT_CLOCK_SKEW_MS;
  const cache = new Map<string, CacheEntry>();
  // the event types each decider folds, as a set made once rather than at each load
  const typeSets = new Map<unknown, ReadonlySet<string>>();
  const eventTypesOf = (decider: Decider<unknown, AnyEvent, unknown>): ReadonlySet<string> => {
    let types = typeSets.get(decider);
    if (!types) typeSets.set(decider, (types = new Set(decider.eventTypes)));
    return types;
  };
  /*
   * Commands on one stream run one after another in this process: they would only race for the same
   * revision and retry. Other streams' commands still share group commits; a conflict can then come
   * only from another process, and is retried.
   */
  const lanes = new Map<string, Promise<unknown>>();
  const inLane = <T>(streamId: string, work: () => Promise<T>): Promise<T> => {
    const previous = lanes.get(streamId) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    lanes.set(streamId, tail);
    void tail.then(() => {
      if (lanes.get(streamId) === tail) lanes.delete(streamId);
    });
    return run;
  };

  const touch = (streamId: string, entry: CacheEntry): void => {
    cache.delete(streamId);
    cache.set(streamId, entry);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
  };

  const noteCommand = (entry: CacheEntry, commandId: string): void => {
    entry.commandIds.add(commandId);
    if (entry.commandIds.size > remember) entry.commandIds.delete(entry.commandIds.values().next().value as string);
  };

  const current = async (
    decider: Decider<unknown, AnyEvent, unknown>,
    streamId: string,
  ): Promise<{ entry: CacheEntry; domainMs: number }> => {
    const cached = cache.get(streamId);
    const entry: CacheEntry = cached
      ? { revision: cached.revision, state: cached.state, commandIds: cached.commandIds }
      : { revision: -1, state: decider.initialState, commandIds: new Set() };
    // read before the stream: a write after it changes the mark, and the next load reads again
    const mark = store.changeMark?.();
    const newer = await store.readStream(streamId, { fromRevision: entry.revision + 1 });
    if (mark !== undefined) entry.mark = mark;
    const started = now();
    const types = eventTypesOf(decider);
    for (const event of newer) {
      if (types.has(event.type)) entry.state = decider.evolve(entry.state, { type: event.type, data: event.data });
      noteCommand(entry, event.metadata.causationId);
      entry.revision = event.revision;
    }
    const domainMs = ms(started);
    touch(streamId, entry);
    return { entry, domainMs };
  };

  /** The stream's state as this handler last saw it (it holds the stream), not read again. */
  const held = (streamId: string): { entry: CacheEntry; domainMs: number } => {
    const { revision, state, commandIds } = cache.get(streamId) as CacheEntry;
    return { entry: { revision, state, commandIds }, domainMs: 0 };
  };

  /** Any aggregate's command: what `handle` and `execute` both run. */
  // the deciders are erased to one shape here, so a command is any command with its metadata
  const run = (aggregate: AggregateName, id: string, command: AnyCommand, context: CommandContext) => {
    const decider = deciders[aggregate] as unknown as Decider<unknown, AnyEvent, unknown>;
    const streamId = `${decider.category}-${id}`;
    // a time from the future is refused whatever the stream holds: before waiting for its lane
    if (context.receivedAt !== undefined)
      checkNotFuture(clientTimesOf(command, context.clientTimeField ?? '/at'), context.receivedAt, skewMs);
    return inLane(streamId, () => decideAndAppend(decider, streamId, command, context));
  };

  const decideAndAppend = async (
    decider: Decider<unknown, AnyEvent, unknown>,
    streamId: string,
    command: AnyCommand,
    context: CommandContext,
  ): Promise<CommandResult> => {
    /*
     * A stream this handler holds is decided on without reading it first: its append succeeds only at
     * the revision it was decided at, so what it writes was decided on the stream as it is. A lost race,
     * a refusal or an empty decision may come from a stream another handler or process has written
     * meanwhile: each is decided again on the stream read afresh. With If-Match the stream is read first.
     */
    let speculative = context.expectedRevision === undefined && cache.has(streamId);
    for (let attempt = 0; ; attempt += 1) {
      const { entry, domainMs: foldMs } = speculative ? held(streamId) : await current(decider, streamId);
      if (entry.commandIds.has(context.commandId)) {
        return { streamId, revision: entry.revision, events: [], duplicate: true, domainMs: foldMs };
      }
      if (context.expectedRevision !== undefined && context.expectedRevision !== entry.revision) {
        throw new WrongExpectedRevisionError(
          streamId,
          context.expectedRevision,
          entry.revision < 0 ? 'no_stream' : entry.revision,
        );
      }
      const started = now();
      let events: AnyEvent[];
      try {
        events = decider.decide(command, entry.state);
      } catch (error) {
        if (!speculative) throw error;
        speculative = false;
        continue;
      }
      const decidedState = events.reduce(decider.evolve, entry.state);
      const domainMs = foldMs + ms(started);
      if (events.length === 0) {
        if (!speculative) return { streamId, revision: entry.revision, events, duplicate: false, domainMs };
        speculative = false;
        continue;
      }
      const expected: ExpectedRevision = entry.revision < 0 ? 'no_stream' : entry.revision;
      try {
        const result = await store.append(
          streamId,
          events.map((event, index) => ({
            id: deterministicUuid(`${context.commandId}|${streamId}|${index}`),
            type: event.type,
            data: event.data,
            metadata: {
              occurredAt: command.meta.now,
              actor: command.meta.actor,
              source: context.source,
              correlationId: context.correlationId,
              causationId: context.commandId,
              ...(context.inputId ? { inputId: context.inputId } : {}),
              ...(context.receivedAt ? { receivedAt: context.receivedAt } : {}),
              ...(context.clientRequestId ? { clientRequestId: context.clientRequestId } : {}),
            },
          })),
          { expectedRevision: expected },
        );
        const after: CacheEntry = {
          revision: result.nextExpectedRevision,
          state: decidedState,
          commandIds: entry.commandIds,
        };
        if (!context.oneOff) noteCommand(after, context.commandId);
        touch(streamId, after);
        return {
          streamId,
          revision: result.nextExpectedRevision,
          position: result.position,
          events,
          duplicate: false,
          domainMs,
        };
      } catch (error) {
        // decided on the stream as held: any refusal of the append is decided again on the stream read afresh
        if (speculative) {
          speculative = false;
          continue;
        }
        // another writer got there first: the next attempt reads its events and decides again
        const conflict = error instanceof WrongExpectedRevisionError;
        if (!conflict || context.expectedRevision !== undefined || attempt >= maxRetries) throw error;
      }
    }
  };

  return {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: without it the command union over every aggregate is 'too complex to represent' (TS2590)
    handle: (aggregate, id, command, context) => run(aggregate, id, command as AnyCommand, context),
    execute: (directive, context) => run(directive.aggregate, directive.id, directive.command, context),
    async load(aggregate, id) {
      const decider = deciders[aggregate] as unknown as Decider<unknown, AnyEvent, unknown>;
      const streamId = `${decider.category}-${id}`;
      // a stream read to its end while the log was as it is now (its change mark the same) is not read
      // again: a query's load of a quiet stream (the Pareto's reason codes) is then a lookup
      const cached = cache.get(streamId);
      if (cached?.mark !== undefined && cached.mark === store.changeMark?.()) {
        touch(streamId, cached);
        return {
          revision: cached.revision,
          state: cached.state as (typeof deciders)[typeof aggregate]['initialState'],
        };
      }
      const { entry } = await current(decider, streamId);
      return { revision: entry.revision, state: entry.state as (typeof deciders)[typeof aggregate]['initialState'] };
    },
  };
};
