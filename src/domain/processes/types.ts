import type { DomainEvent } from '../aggregates';
import type { CommandMeta } from '../messages';

/** An event as a process manager sees it: its type and data, when it happened, and who caused it. */
export type Trigger<E extends DomainEvent = DomainEvent> = E & { occurredAt: string; actor?: string };

export const metaFor = (trigger: Trigger, process: string): CommandMeta => ({
  now: trigger.occurredAt,
  actor: `process:${process}`,
});
