/** Where a delivered message stands: not taken in (its handling failed), taken in, settled. */
const DELIVERED = 0;
const TAKEN = 1;
const SETTLED = 2;

/**
 * Acknowledgement by floor, for a consumer whose acknowledgement covers every earlier message
 * (JetStream's AckPolicy.All). Messages are delivered in stream order and settled in any order (a
 * machine's lane, an interval closing); the acknowledgement to send is the newest message at or below
 * which every delivered one is settled. One acknowledgement then stands for many, and nothing is
 * acknowledged before everything up to it is.
 *
 * `sequenceOf` gives a message's stream sequence. No I/O: `settle` answers the message to acknowledge.
 */
export const createAckFloor = <M>(sequenceOf: (m: M) => number) => {
  /** Delivered and not yet below the floor, in stream order, from `head`. */
  let sequences: number[] = [];
  let messages: M[] = [];
  let states: number[] = [];
  let head = 0;
  /** The newest sequence delivered (0: none). */
  let newest = 0;

  const indexOf = (sequence: number): number => {
    let low = head;
    let high = sequences.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const at = sequences[middle] as number;
      if (at === sequence) return middle;
      if (at < sequence) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  };

  const compact = (): void => {
    if (head < 4_096 || head * 2 < sequences.length) return;
    sequences = sequences.slice(head);
    messages = messages.slice(head);
    states = states.slice(head);
    head = 0;
  };

  return {
    /**
     * A message as it arrives, to be taken in. False: it is a redelivery of one this floor holds, taken
     * in already, or of one below the floor; it must not be taken in again (it would be counted twice).
     * A redelivery of one whose handling failed (`failed`) is answered true, to be taken in now.
     */
    deliver(m: M): boolean {
      const sequence = sequenceOf(m);
      if (sequence > newest) {
        newest = sequence;
        sequences.push(sequence);
        messages.push(m);
        states.push(TAKEN);
        return true;
      }
      const index = indexOf(sequence);
      if (index < 0 || states[index] !== DELIVERED) return false;
      messages[index] = m;
      states[index] = TAKEN;
      return true;
    },
    /** Its handling failed before it was taken in: its redelivery is taken in. */
    failed(m: M): void {
      const index = indexOf(sequenceOf(m));
      if (index >= 0 && states[index] === TAKEN) states[index] = DELIVERED;
    },
    /** The message is done with. Answers the message to acknowledge when the floor moved, else undefined. */
    settle(m: M): M | undefined {
      const index = indexOf(sequenceOf(m));
      if (index < 0) return undefined;
      states[index] = SETTLED;
      if (index !== head) return undefined;
      while (head < sequences.length && states[head] === SETTLED) head += 1;
      const floor = messages[head - 1] as M;
      compact();
      return floor;
    },
    /** Messages delivered and not yet below the floor: what the server counts as unacknowledged. */
    get size(): number {
      return sequences.length - head;
    },
  };
};

export type AckFloor<M> = ReturnType<typeof createAckFloor<M>>;
