import { StorageType, headers as natsHeaders, nanos, type JetStreamManager, type JetStreamClient } from 'nats';

/** Makes a file-backed JetStream stream unless it exists (an existing one keeps its configuration). */
export const ensureStream = async (
  jsm: JetStreamManager,
  name: string,
  subjects: string[],
  duplicateWindowMs: number,
): Promise<void> => {
  try {
    await jsm.streams.info(name);
  } catch {
    await jsm.streams.add({ name, subjects, storage: StorageType.File, duplicate_window: nanos(duplicateWindowMs) });
  }
};

/** What a dead letter keeps of a message: a JsMsg has it, and so does what a consumer keeps of one in flight. */
export type DeadMessage = {
  subject: string;
  data: Uint8Array;
  info: { stream: string; streamSequence: number };
};

/**
 * Copies a message that cannot be taken in to `deadletter.<its subject>` with the raw payload and the
 * reason (`Mes-Reason`); its id comes from the original's stream sequence, so a repeat is dropped. With
 * `element`, the dead letter is for that part of the message (`Mes-Element`, one ERP ProductionRequest),
 * one per part.
 */
export const publishDeadLetter = async (
  js: JetStreamClient,
  m: DeadMessage,
  reason: string,
  element?: string,
): Promise<void> => {
  const h = natsHeaders();
  h.set('Mes-Reason', reason.slice(0, 1_000));
  h.set('Mes-Original-Subject', m.subject);
  h.set('Mes-Original-Sequence', String(m.info.streamSequence));
  if (element !== undefined) h.set('Mes-Element', element);
  h.set('Nats-Msg-Id', `dead-${m.info.stream}-${m.info.streamSequence}${element === undefined ? '' : `:${element}`}`);
  await js.publish(`deadletter.${m.subject}`, m.data, { headers: h });
};
