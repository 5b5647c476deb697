import {
  comparePositions,
  eventJson,
  eventView,
  readJsonPages,
  readPages,
  type EventStore,
  type RecordedEvent,
} from '../app/eventStore';
import { createLiveTail, type LiveTail } from '../app/liveTail';
import { createStateAsOf } from '../app/stateAsOf';
import { deciders } from '../domain/aggregates';
import { ForbiddenError, NotFoundError, TooManyAttemptsError, ValidationError } from '../domain/errors';
import { isSecurityStream, SECURITY_CATEGORIES } from '../domain/security';
import type { AnyEvent, Decider } from '../domain/messages';
import type { Role } from './auth';
import { orderEpcis } from './epcis';
import { isShopFloorOnly, type RouteContext, type RouteSpec } from './routes';
import { responseClosed, writeOrWait } from './streamWrite';

const AUDITORS: Role[] = ['auditor'];

// separation of duties: the security trail (people, devices, keys, logins) is the audit administrator's
const TRAIL = 'the security trail is read by the audit administrator (GET /api/security/events)';
const business = (streamId: string): string => {
  if (isSecurityStream(streamId)) throw new ForbiddenError(TRAIL, 'security-trail');
  return streamId;
};
/** What an operator's live stream carries: their orders and the work-center queues. */
const OPERATOR_CATEGORIES = ['order', 'workcenter'];
/**
 * What the office's screens follow live (planners, quality, maintenance, analysts): the plant's orders,
 * queues, machines, lots, inspections, nonconformances, maintenance, SPC charts and alerts, which their
 * queries read already; not people's clockings, master data or the security trail.
 */
const OFFICE_CATEGORIES = [
  'order',
  'workcenter',
  'machine',
  'lot',
  'inspection',
  'nonconformance',
  'maintenance',
  'corrective',
  'spcchart',
  'alert',
];

const businessCategory = (category: string | undefined): string | undefined => {
  if (category && (SECURITY_CATEGORIES as readonly string[]).includes(category))
    throw new ForbiddenError(TRAIL, 'security-trail');
  return category;
};

/** The business events of the log (of a category), a page at a time. */
async function* businessPages(store: EventStore, category?: string): AsyncGenerator<RecordedEvent[]> {
  const filter = category ? { filter: { streamPrefixes: [`${category}-`] } } : {};
  for await (const page of readPages(store, { maxCount: 2000, ...filter }))
    yield page.events.filter((e) => !isSecurityStream(e.streamId));
}

/** Every business event of the log (of a category). */
async function* scan(store: EventStore, category?: string): AsyncGenerator<RecordedEvent> {
  for await (const events of businessPages(store, category)) yield* events;
}

/** Events per page of a correlation's trace, unless the caller asks for fewer. */
const CORRELATION_PAGE = 1000;

/**
 * Up to `limit` business events of a correlation after `cursor` (a position), and the cursor of the
 * next page when another business event follows. The security trail's events are left out: a read
 * they shorten reads on, so a page is short only at the end.
 */
export const correlationPage = async (
  store: EventStore,
  correlationId: string,
  limit: number,
  cursor: string | undefined,
): Promise<{ events: RecordedEvent[]; next: string | undefined }> => {
  const events: RecordedEvent[] = [];
  let after = cursor;
  for (;;) {
    // one more than the page, to know whether another follows
    const wanted = limit + 1 - events.length;
    let read: RecordedEvent[];
    try {
      read = await store.readByCorrelation(correlationId, { limit: wanted, ...(after === undefined ? {} : { after }) });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new ValidationError('the cursor is not one this trace answered', [
        { path: '/query/cursor', message: 'must be the cursor of a Link header this route answered' },
      ]);
    }
    for (const event of read) if (!isSecurityStream(event.streamId)) events.push(event);
    if (events.length > limit) {
      events.length = limit;
      return { events, next: (events[limit - 1] as RecordedEvent).position };
    }
    if (read.length < wanted) return { events, next: undefined };
    after = (read[read.length - 1] as RecordedEvent).position;
  }
};

const deciderOf = (streamId: string): Decider<unknown, AnyEvent, unknown> => {
  const category = streamId.slice(0, streamId.indexOf('-'));
  const decider = Object.values(deciders).find((d) => d.category === category);
  if (!decider) throw new NotFoundError(`streams of category ${category} have no aggregate`);
  return decider as unknown as Decider<unknown, AnyEvent, unknown>;
};

/** Traceability for auditors, and the live event feed for integrators. */
/** How many live streams may be open at once, overall and per caller (README, HTTP hardening). */
export type StreamLimits = { total: number; perPrincipal: number };
export const DEFAULT_STREAM_LIMITS: StreamLimits = { total: 500, perPrincipal: 10 };

/** Counts a stream in, or refuses it (429) past the limits; the function it answers counts it out once. */
export type StreamAdmission = (principal: string) => () => void;

/** One count of the live streams open, overall and per caller, for every live route of an API. */
export const createStreamAdmission = (limits: StreamLimits): StreamAdmission => {
  const openStreams = new Map<string, number>();
  let openTotal = 0;
  return (principal) => {
    const mine = openStreams.get(principal) ?? 0;
    if (openTotal >= limits.total || mine >= limits.perPrincipal) {
      throw new TooManyAttemptsError(
        mine >= limits.perPrincipal
          ? `${principal} already has ${mine} live streams open (at most ${limits.perPrincipal})`
          : `the backbone already serves ${openTotal} live streams (at most ${limits.total})`,
        5,
        { type: 'too-many-streams' },
      );
    }
    openStreams.set(principal, mine + 1);
    openTotal += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      openTotal -= 1;
      const left = (openStreams.get(principal) ?? 1) - 1;
      if (left > 0) openStreams.set(principal, left);
      else openStreams.delete(principal);
    };
  };
};
/** An event as an SSE message: its position the id a client resumes from (Last-Event-ID). */
const sseText = (position: string, type: string, json: string): string =>
  `id: ${position}\nevent: ${type}\ndata: ${json}\n\n`;

/** How long a stream ended as too far behind waits for its client to read the rest before the connection is cut. */
const OVERRUN_GRACE_MS = 10_000;

export const traceRoutes = (deps: {
  store: EventStore;
  heartbeatMs?: number;
  live?: Set<() => void>;
  streamLimits?: StreamLimits;
  /** The one reader of new events every live stream follows. Default: one made here, per API. */
  tail?: LiveTail;
  /** Counts live streams in against the limits, shared with the API's other live streams. Default: its own. */
  admit?: StreamAdmission;
}): RouteSpec[] => {
  const { store } = deps;
  // snapshots of the streams asked for as of an instant, so an answer folds one block, not the stream
  const history = createStateAsOf(store);
  // made lazily: it reads nothing until a stream follows it
  const tail = deps.tail ?? createLiveTail(store);
  // an event the tail gives to many streams is written as SSE once
  const messages = new WeakMap<RecordedEvent, string>();
  const message = (event: RecordedEvent): string => {
    let text = messages.get(event);
    if (text === undefined) {
      text = sseText(event.position, event.type, eventJson(event));
      messages.set(event, text);
    }
    return text;
  };
  const admitStream = deps.admit ?? createStreamAdmission(deps.streamLimits ?? DEFAULT_STREAM_LIMITS);
  const streamId = (ctx: RouteContext) => business(ctx.params['streamId'] as string);
  return [
    {
      method: 'get',
      path: '/api/streams/:streamId/events',
      summary: 'A stream’s history: every event with who, when, source and correlation',
      tag: 'traceability',
      roles: AUDITORS,
      kind: 'trace',
      async handle(ctx) {
        const events = await store.readStream(streamId(ctx));
        if (events.length === 0) throw new NotFoundError(`stream ${streamId(ctx)} has no events`);
        return { body: events.map(eventView), revision: events[events.length - 1]?.revision };
      },
    },
    {
      method: 'get',
      path: '/api/streams/:streamId/state',
      summary: 'An aggregate’s state as of an instant (asOf), rebuilt from only the events recorded up to it',
      tag: 'traceability',
      roles: AUDITORS,
      kind: 'trace',
      query: 'queries/history',
      async handle(ctx) {
        const decider = deciderOf(streamId(ctx));
        const asOf = ctx.query['asOf'] ? Date.parse(ctx.query['asOf']) : Number.POSITIVE_INFINITY;
        const found = await history.stateAsOf(streamId(ctx), decider, asOf);
        if (!found)
          throw new NotFoundError(`stream ${streamId(ctx)} had no events at ${ctx.query['asOf'] ?? 'any time'}`);
        return {
          body: {
            streamId: streamId(ctx),
            asOf: ctx.query['asOf'] ?? null,
            revision: found.last.revision,
            lastEventAt: found.last.recordedAt,
            state: found.state,
          },
          revision: found.last.revision,
        };
      },
    },
    {
      method: 'get',
      path: '/api/correlations/:correlationId',
      summary:
        'Everything one command or message caused, across streams, in order; a page of limit events (default 1000) from cursor, the next page in the Link header (rel="next")',
      tag: 'traceability',
      roles: AUDITORS,
      kind: 'trace',
      query: 'queries/correlation',
      async handle(ctx) {
        const wanted = ctx.params['correlationId'] as string;
        const limit = ctx.query['limit'] ? Number(ctx.query['limit']) : CORRELATION_PAGE;
        const cursor = ctx.query['cursor'];
        // from the store's correlation index, not a scan of the log, a page at a time (a machine's
        // correlation can hold millions of events)
        const page = await correlationPage(store, wanted, limit, cursor);
        if (page.events.length === 0 && cursor === undefined)
          throw new NotFoundError(`nothing was caused by ${wanted}`);
        if (page.next !== undefined) {
          const next = `/api/correlations/${encodeURIComponent(wanted)}?limit=${limit}&cursor=${encodeURIComponent(page.next)}`;
          ctx.res.set('Link', `<${next}>; rel="next"`);
        }
        return { body: page.events.map(eventView) };
      },
    },
    {
      method: 'get',
      path: '/api/verify/streams/:streamId',
      summary: 'Verify a stream’s hash chain, naming the first broken link',
      tag: 'traceability',
      roles: AUDITORS,
      kind: 'trace',
      async handle(ctx) {
        const result = await store.verifyStream(streamId(ctx));
        if (result.events === 0) throw new NotFoundError(`stream ${streamId(ctx)} has no events`);
        return { body: result };
      },
    },
    {
      method: 'get',
      path: '/api/verify/categories/:category',
      summary: 'Verify every stream of a category (order, lot, machine...), naming each broken one',
      tag: 'traceability',
      roles: AUDITORS,
      kind: 'trace',
      async handle(ctx) {
        const category = ctx.params['category'] as string;
        if (!/^[a-z]{1,30}$/.test(category))
          throw new ValidationError('a category is lower-case letters', [
            { path: '/params/category', message: 'must match ^[a-z]{1,30}$' },
          ]);
        businessCategory(category);
        const streams = new Set<string>();
        for await (const event of scan(store, category)) streams.add(event.streamId);
        const broken = [];
        let events = 0;
        for (const stream of streams) {
          const result = await store.verifyStream(stream);
          events += result.events;
          if (!result.ok) broken.push({ streamId: stream, break: result.break });
        }
        const continuity =
          'checkContinuity' in store
            ? await (store as { checkContinuity(): Promise<unknown> }).checkContinuity()
            : null;
        return {
          body: { category, ok: broken.length === 0, streams: streams.size, events, broken, logContinuity: continuity },
        };
      },
    },
    {
      method: 'get',
      path: '/api/orders/:orderId/epcis',
      summary: 'An order’s traceability as GS1 EPCIS 2.0 JSON-LD: input lots to output lots, inspections, receipts',
      tag: 'traceability',
      roles: AUDITORS,
      kind: 'trace',
      produces: 'application/ld+json',
      async handle(ctx) {
        const document = await orderEpcis(store, ctx.params['orderId'] as string, ctx.meta.now);
        ctx.res.status(200).type('application/ld+json').send(JSON.stringify(document));
        return { stream: true };
      },
    },
    {
      method: 'get',
      path: '/api/export',
      summary: 'Events recorded in a time range, as NDJSON, streamed',
      tag: 'traceability',
      roles: AUDITORS,
      kind: 'trace',
      query: 'queries/export',
      produces: 'application/x-ndjson',
      async handle(ctx) {
        const from = ctx.query['from'] ? Date.parse(ctx.query['from']) : Number.NEGATIVE_INFINITY;
        const to = ctx.query['to'] ? Date.parse(ctx.query['to']) : Number.POSITIVE_INFINITY;
        const category = businessCategory(ctx.query['category']);
        const closed = responseClosed(ctx.res);
        ctx.res.status(200).type('application/x-ndjson');
        // the stored JSON text, not decoded and encoded again; a page's lines are written as one chunk (a
        // write, and a wait for drain, per event costs more than the event), the next page read once the
        // client has taken this one
        const filter = category ? { filter: { streamPrefixes: [`${category}-`] } } : {};
        for await (const page of readJsonPages(store, { maxCount: 2000, ...filter })) {
          let lines = '';
          for (const event of page.events) {
            if (isSecurityStream(event.streamId)) continue;
            const at = Date.parse(event.recordedAt);
            if (at >= from && at <= to) lines += `${event.json}\n`;
          }
          if (lines !== '' && !(await writeOrWait(ctx.res, lines, closed.signal))) break;
        }
        ctx.res.end();
        return { stream: true };
      },
    },
    {
      method: 'get',
      path: '/api/events/stream',
      summary:
        'Live events as Server-Sent Events from a position, resumable with Last-Event-ID, by category and type (operators: orders and queues; office roles: the plant’s operations)',
      tag: 'integration',
      roles: ['integrator', 'auditor', 'operator', 'analyst', 'planner', 'quality', 'maintenance'],
      kind: 'trace',
      shopFloorFeed: true,
      query: 'queries/events',
      produces: 'text/event-stream',
      async handle(ctx) {
        const after = ctx.req.get('last-event-id') ?? ctx.query['after'];
        // the store knows its positions: a foreign one is refused now, as a 400, not in a stream already begun
        if (after !== undefined) await store.readAll({ after, maxCount: 1 });
        const category = businessCategory(ctx.query['category']);
        const type = ctx.query['type'];
        // an operator's PDA follows its work (orders and queues), not the plant's labour or quality records;
        // the office follows the plant's operations; integrators and auditors the whole business log
        const office = ctx.principal.roles.some((r) => ['analyst', 'planner', 'quality', 'maintenance'].includes(r));
        const allowed = !isShopFloorOnly(ctx.principal) ? undefined : office ? OFFICE_CATEGORIES : OPERATOR_CATEGORIES;
        const categories = allowed
          ? allowed.filter((c) => category === undefined || c === category)
          : category
            ? [category]
            : undefined;
        if (categories?.length === 0) throw new ForbiddenError(`this stream follows ${allowed?.join(', ')} events`);
        const release = admitStream(ctx.principal.name);
        // the client going away, a shutdown (deps.live) or the stream falling too far behind ends it:
        // closing the subscription ends the loop while it waits for an event, the signal ends a wait for drain
        const ended = responseClosed(ctx.res);
        const end = (): void => ended.abort();
        deps.live?.add(end);
        const heartbeat = setInterval(() => ctx.res.write(': keep-alive\n\n'), deps.heartbeatMs ?? 15_000);
        const filter = {
          ...(categories ? { streamPrefixes: categories.map((c) => `${c}-`) } : {}),
          ...(type ? { eventTypes: [type] } : {}),
        };
        // the follower joins the shared tail now; it is read once the log up to its present end has been written
        const subscription = tail.follow({ ...(after ? { after } : {}), filter, batchSize: 200 }, () => ended.abort());
        if (ended.signal.aborted) void subscription.close();
        else ended.signal.addEventListener('abort', () => void subscription.close(), { once: true });
        try {
          ctx.res.status(200).set({
            'Content-Type': 'text/event-stream',
            'Cache-Control': 'no-cache',
            Connection: 'keep-alive',
            'X-Accel-Buffering': 'no',
          });
          ctx.res.flushHeaders();
          // the log up to its end as it is now, as the store holds it: JSON text, not decoded and encoded again
          // per event (4 clients replaying a 100k-event log read 400k), a page written as one chunk
          const head = await store.headPosition();
          let caughtUp = after;
          if (comparePositions(head, caughtUp) > 0)
            for await (const page of readJsonPages(store, { ...(after ? { after } : {}), maxCount: 200, filter })) {
              let text = '';
              for (const event of page.events)
                if (!isSecurityStream(event.streamId)) text += sseText(event.position, event.type, event.json);
              caughtUp = page.checkpoint ?? caughtUp;
              if (text !== '' && !(await writeOrWait(ctx.res, text, ended.signal))) break;
              if (comparePositions(caughtUp, head) >= 0) break;
            }
          // then what the follower has, from there (what came in meanwhile read by itself, then the tail's news),
          // each time as one chunk: a write, and a wait for drain, per event cost more than the event
          if (caughtUp !== undefined && !ended.signal.aborted) subscription.skipTo(caughtUp);
          if (!ended.signal.aborted)
            for (let batch = await subscription.nextBatch(); batch.length > 0; batch = await subscription.nextBatch()) {
              let text = '';
              for (const event of batch) if (!isSecurityStream(event.streamId)) text += message(event);
              if (text !== '' && !(await writeOrWait(ctx.res, text, ended.signal))) break;
            }
          if (subscription.overrun && !ctx.res.closed) {
            // a client that read too slowly is let go rather than held (it resumes with Last-Event-ID);
            // one that reads nothing more is cut off
            const cutOff = setTimeout(() => ctx.res.destroy(), OVERRUN_GRACE_MS).unref();
            ctx.res.once('close', () => clearTimeout(cutOff));
            ctx.res.end(': too far behind; reconnect with Last-Event-ID\n\n');
          } else ctx.res.end();
        } finally {
          clearInterval(heartbeat);
          deps.live?.delete(end);
          release();
          await subscription.close();
        }
        return { stream: true };
      },
    },
  ];
};
