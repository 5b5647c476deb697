import { once } from 'node:events';
import type { Response } from 'express';

/**
 * A signal aborted when the response closes: the client went away, or the response is over. A
 * stream handler stops on it, so it never waits for a `drain` that a dead socket will not send.
 */
export const responseClosed = (res: Response): AbortController => {
  const closed = new AbortController();
  if (res.closed) closed.abort();
  else res.once('close', () => closed.abort());
  return closed;
};

/**
 * Writes a chunk, waiting for the socket to drain when its buffer is full (a slow reader holds the
 * handler, not memory). Answers false once `signal` is aborted: stop writing.
 */
export const writeOrWait = async (res: Response, chunk: string, signal: AbortSignal): Promise<boolean> => {
  if (signal.aborted) return false;
  if (res.write(chunk)) return true;
  try {
    await once(res, 'drain', { signal });
    return true;
  } catch (error) {
    if (signal.aborted) return false;
    throw error;
  }
};
