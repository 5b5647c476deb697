import { setTimeout as sleep } from 'node:timers/promises';
import { retryUntilDone } from '../lib/retry';
import type { DomainEventType, Directive } from '../domain/aggregates';
import { isKnownError } from '../domain/errors';
import type { Trigger } from '../domain/processes';
import type { CheckpointStore } from './checkpoints';
import type { CommandHandler } from './commandHandler';
import {
  asDomainEvent,
  comparePositions,
  type EventFilter,
  type EventStore,
  readPages,
  type Position,
  type RecordedDomainEvent,
  type RecordedEvent,
} from './eventStore';
import type { Logger } from '../lib/logger';

export type ProcessDefinition<V = undefined> = {
  name: string;
  /** The events it reacts to; `react` may be given only these. */
  eventTypes: readonly DomainEventType[];
  react: (trigger: Trigger, view: V) => Directive[];
  /**
   * What a process remembers between events (who is clocked in, say): folded from every event it
   * reads, those before its checkpoint included, so a restart remembers what it knew. `react` sees the
   * view as it was before the event.
   */
  view?: {
    initial: V;
    evolve: (view: V, trigger: Trigger) => V;
    /** The events the view folds (default: all of `eventTypes`): all a restart reads before its checkpoint. */
    eventTypes?: readonly DomainEventType[];
  };
};

export type RunningProcess = {
  readonly name: string;
  readonly position: Position | undefined;
  /** Resolves once every event it reacts to, written so far, has been handled. */
  idle(): Promise<void>;
  stop(): Promise<void>;
};

type Deps = { store: EventStore; commands: CommandHandler; checkpoints: CheckpointStore; logger: Logger };

/** The spread keeps each event type paired with its data (picking `type` and `data` out would unpair them). */
export const triggerOf = (event: RecordedDomainEvent): Trigger => ({
  ...event,
  occurredAt: event.metadata.occurredAt,
  actor: event.metadata.actor,
});

/**
 * Runs a process manager: from its checkpoint, each event it reacts to becomes directives, each
 * handled as a command whose id derives from the event, so a replay after a crash writes nothing
 * twice. A directive the aggregate refuses (a business rule) is logged and passed over; any other
 * failure is retried, holding the checkpoint, until it goes through.
 */
export const startProcess = async <V = undefined>(
  deps: Deps,
  definition: ProcessDefinition<V>,
): Promise<RunningProcess> => {
  const filter: EventFilter = { eventTypes: [...definition.eventTypes] };
  let position = await deps.checkpoints.load(definition.name);
  let view = definition.view?.initial as V;
  const remember = (event: RecordedEvent): void => {
    const domainEvent = definition.view && asDomainEvent(event);
    if (definition.view && domainEvent) view = definition.view.evolve(view, triggerOf(domainEvent));
  };
  if (definition.view && position !== undefined) {
    // what it knew at its checkpoint: the events up to it, folded without reacting again
    const folded: EventFilter = { eventTypes: [...(definition.view.eventTypes ?? definition.eventTypes)] };
    pages: for await (const page of readPages(deps.store, { filter: folded })) {
      for (const event of page.events) {
        if (comparePositions(event.position, position) > 0) break pages;
        remember(event);
      }
    }
  }
  const subscription = deps.store.subscribe({ after: position, filter });
  let stopped = false;

  const handleEvent = async (event: RecordedEvent): Promise<void> => {
    const domainEvent = asDomainEvent(event);
    const directives = domainEvent ? definition.react(triggerOf(domainEvent), view) : [];
    for (const [index, directive] of directives.entries()) {
      const context = {
        commandId: `${definition.name}:${event.id}:${index}`,
        correlationId: event.metadata.correlationId,
        source: 'system' as const,
      };
      try {
        await deps.commands.execute(directive, context);
      } catch (error) {
        if (!isKnownError(error)) throw error;
        deps.logger.warn('directive refused', {
          process: definition.name,
          event: event.id,
          type: event.type,
          directive: directive.command.type,
          id: directive.id,
          error: error.message,
        });
      }
    }
  };

  const loop = (async () => {
    for await (const event of subscription) {
      const handled = await retryUntilDone(() => handleEvent(event), {
        stopped: () => stopped,
        firstMs: 100,
        maxMs: 5_000,
        onError: (error) =>
          deps.logger.error('process failed on an event; retrying', {
            process: definition.name,
            event: event.id,
            error,
          }),
      });
      if (!handled) return;
      remember(event);
      position = event.position;
      // a checkpoint not saved means a replay after a restart, which the command ids make harmless
      await deps.checkpoints
        .save(definition.name, position)
        .catch((error: unknown) =>
          deps.logger.error('process checkpoint not saved', { process: definition.name, error }),
        );
    }
  })().catch((error: unknown) => deps.logger.error('process stopped', { process: definition.name, error }));

  return {
    name: definition.name,
    get position() {
      return position;
    },
    async idle() {
      for (;;) {
        const pending = await deps.store.readAll({ after: position, maxCount: 1, filter });
        if (pending.events.length === 0) return;
        const target = pending.events[0]?.position;
        while (comparePositions(position, target) < 0 && !stopped) await sleep(5);
      }
    },
    async stop() {
      stopped = true;
      await subscription.close();
      await loop;
    },
  };
};
