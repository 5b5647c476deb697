import type { Position } from './eventStore';

/** Where a subscriber (process manager, publisher, outbox) has got to in the log. */
export type CheckpointStore = {
  load(name: string): Promise<Position | undefined>;
  save(name: string, position: Position): Promise<void>;
  close(): Promise<void>;
};
