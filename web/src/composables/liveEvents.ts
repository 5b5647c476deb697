/** One event of the live stream (`GET /api/events/stream`), as the backbone sends it. */
export type LiveEvent = { id: string; type: string; streamId: string; position: string; data: unknown };

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'unavailable';

type Message = { id?: string; data: string };

/** Splits a text/event-stream into messages; answers the messages complete so far and the rest. */
export const parseEventStream = (buffer: string): { messages: Message[]; rest: string } => {
  const blocks = buffer.replace(/\r\n?/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  const messages = blocks.flatMap((block): Message[] => {
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
    }
    return data.length > 0 ? [{ ...(id === undefined ? {} : { id }), data: data.join('\n') }] : [];
  });
  return { messages, rest };
};

/**
 * The live event stream over fetch (EventSource cannot send the device key), resumed with
 * Last-Event-ID after a drop. A key the stream refuses (401, 403) makes it `unavailable`: the caller
 * falls back to polling.
 */
export const connectLive = <T = LiveEvent>(options: {
  /** The stream: the log's live events (default), or another SSE route of the backbone (the alerts'). */
  path?: string;
  /** The credential headers of the API client. */
  credentials: () => Record<string, string>;
  /** Start after this position (the log's head when the screen opened). */
  after?: string;
  onEvent: (event: T) => void;
  onStatus: (status: LiveStatus) => void;
  fetcher?: typeof fetch;
  /** Wait before reconnecting. Default 3 s. */
  retryMs?: number;
}): { close(): void } => {
  const fetcher = options.fetcher ?? fetch.bind(globalThis);
  const controller = new AbortController();
  let last = options.after;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = async (): Promise<void> => {
    const headers: Record<string, string> = { accept: 'text/event-stream', ...options.credentials() };
    if (last) headers['last-event-id'] = last;
    const response = await fetcher(options.path ?? '/api/events/stream', {
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: controller.signal,
    });
    if (response.status === 401 || response.status === 403 || response.status === 404) {
      options.onStatus('unavailable');
      return;
    }
    if (!response.ok || !response.body) throw new Error(`live stream answered ${response.status}`);
    options.onStatus('live');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const parsed = parseEventStream(buffer + value);
      buffer = parsed.rest;
      for (const message of parsed.messages) {
        if (message.id) last = message.id;
        options.onEvent(JSON.parse(message.data) as T);
      }
    }
    throw new Error('live stream ended');
  };
  const start = (): void => {
    options.onStatus(last === options.after ? 'connecting' : 'reconnecting');
    run().catch(() => {
      if (controller.signal.aborted) return;
      options.onStatus('reconnecting');
      timer = setTimeout(start, options.retryMs ?? 3_000);
    });
  };
  start();
  return {
    close: () => {
      clearTimeout(timer);
      controller.abort();
    },
  };
};
