/**
 * Answers computed from read models, kept while the read models they were computed from have not
 * moved. A version names what an answer was computed from (a projection's namespace and the events
 * it has applied, see `createReadModelQueries`' `version`): it is read before computing and again
 * after, and the answer is kept only when the two agree, so an answer is never served for a version
 * it was not computed at. A version that moved (a new event applied, a rebuilt namespace taking over)
 * is a miss, and the answer is computed again.
 */
export type AnswerCache = {
  /**
   * The answer for `key` at the current `version()`, computed by `compute` when not kept. Kept only
   * when `keep` (default true) says so once computed: an answer that depends on the clock is not.
   */
  get<T>(
    key: string,
    version: () => Promise<string | undefined>,
    compute: () => Promise<T>,
    keep?: boolean,
  ): Promise<T>;
  /** Answers kept (for tests). */
  readonly size: number;
};

/** Freezes an answer and everything in it, so a caller cannot change what the next one is given. */
const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value as object)) deepFreeze(item);
  }
  return value;
};

/** An answer cache of at most `max` answers (default 1,000), the least recently used dropped first. */
export const createAnswerCache = (max = 1000): AnswerCache => {
  const entries = new Map<string, { version: string; answer: unknown }>();
  return {
    async get<T>(
      key: string,
      version: () => Promise<string | undefined>,
      compute: () => Promise<T>,
      keep = true,
    ): Promise<T> {
      const before = await version();
      const kept = entries.get(key);
      if (kept && before !== undefined && kept.version === before) {
        // most recently used last
        entries.delete(key);
        entries.set(key, kept);
        return kept.answer as T;
      }
      const answer = await compute();
      if (!keep || before === undefined || (await version()) !== before) return answer;
      entries.delete(key);
      if (entries.size >= max) entries.delete(entries.keys().next().value as string);
      entries.set(key, { version: before, answer: deepFreeze(answer) });
      return answer;
    },
    get size() {
      return entries.size;
    },
  };
};
