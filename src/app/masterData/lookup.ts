import {
  MASTER_KINDS,
  inForce,
  type InForce,
  type MasterKind,
  type ReasonKind,
  type ReasonTableState,
  type Timeline,
} from '../../domain/masterData';
import type { CommandHandler } from '../commandHandler';

/** Master data as the write side sees it: read from the records' streams, so a check sees the latest write. */
export type MasterLookup = {
  /** A record's timeline; undefined when it was never defined. */
  timeline(kind: MasterKind, code: string): Promise<Timeline<unknown> | undefined>;
  /** The version in force at an instant (active or not); undefined when none is. */
  at<R>(kind: MasterKind, code: string, at: string): Promise<InForce<R> | undefined>;
  /** The plant's reason codes of a kind. */
  reasons(kind: ReasonKind): Promise<ReasonTableState>;
};

/** Reads through the command handler's `load`, which keeps folded streams cached and reads only newer events. */
export const createMasterLookup = (commands: Pick<CommandHandler, 'load'>): MasterLookup => {
  const timeline = async (kind: MasterKind, code: string): Promise<Timeline<unknown> | undefined> => {
    const { state } = await commands.load(MASTER_KINDS[kind].aggregate, code);
    return state.status === 'Defined' ? state.timeline : undefined;
  };
  return {
    timeline,
    async at<R>(kind: MasterKind, code: string, at: string) {
      const found = await timeline(kind, code);
      // the kind decides the record type: R is what the caller asked of that kind
      return found ? (inForce(found, at) as InForce<R> | undefined) : undefined;
    },
    reasons: async (kind) => (await commands.load('reasonCodes', kind)).state,
  };
};
