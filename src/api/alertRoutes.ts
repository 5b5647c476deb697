import type { AlertSubscriptions } from '../app/alertSubscriptions';
import { alertKindsFor } from '../app/alertSubscriptions';
import type { EventStore } from '../app/eventStore';
import type { LiveTail } from '../app/liveTail';
import type { AlertQueries } from '../projections/alertQueries';
import type { Role } from './auth';
import type { RouteSpec } from './routes';
import { responseClosed, writeOrWait } from './streamWrite';
import type { StreamAdmission } from './traceRoutes';

/** The people who may be subscribed to alerts (ALERTS_FILE's `roles` names only these). */
const ALERT_READERS: Role[] = ['operator', 'quality', 'maintenance', 'planner', 'analyst'];

/**
 * Alerts for the person asking: the recent ones of the kinds their roles and login subscribe to, and
 * the live ones as Server-Sent Events (the web app's notifications), resumable with Last-Event-ID.
 */
export const alertRoutes = (deps: {
  store: EventStore;
  alerts: { queries: AlertQueries; subscriptions: AlertSubscriptions };
  heartbeatMs?: number;
  live?: Set<() => void>;
  /** The API's one reader of new events, and its one count of live streams (overall and per caller). */
  tail: LiveTail;
  admit: StreamAdmission;
}): RouteSpec[] => {
  return [
    {
      method: 'get',
      path: '/api/alerts',
      summary: 'My recent alerts, newest first: the kinds my roles and login subscribe to (ALERTS_FILE)',
      tag: 'alerts',
      roles: ALERT_READERS,
      kind: 'query',
      query: 'queries/list',
      async handle(ctx) {
        const kinds = alertKindsFor(deps.alerts.subscriptions, ctx.principal);
        const page = await deps.alerts.queries.recent(kinds, {
          limit: Number(ctx.query['limit'] ?? 50),
          ...(ctx.query['cursor'] ? { cursor: ctx.query['cursor'] } : {}),
        });
        return { body: { kinds, ...page } };
      },
    },
    {
      method: 'get',
      path: '/api/alerts/stream',
      summary: 'My alerts as they are raised, as Server-Sent Events (event AlertRaised), resumable with Last-Event-ID',
      tag: 'alerts',
      roles: ALERT_READERS,
      kind: 'query',
      query: 'queries/alertStream',
      produces: 'text/event-stream',
      async handle(ctx) {
        const after = ctx.req.get('last-event-id') ?? ctx.query['after'];
        // a foreign position is refused now, as a 400, not in a stream already begun
        if (after !== undefined) await deps.store.readAll({ after, maxCount: 1 });
        const kinds = new Set<string>(alertKindsFor(deps.alerts.subscriptions, ctx.principal));
        const release = deps.admit(ctx.principal.name);
        const ended = responseClosed(ctx.res);
        const subscription = deps.tail.follow(
          {
            // from now when no position is given: a bell rings for what is new
            after: after ?? (await deps.store.headPosition()),
            filter: { streamPrefixes: ['alert-'], eventTypes: ['AlertRaised'] },
            batchSize: 100,
          },
          () => ended.abort(),
        );
        const end = (): void => ended.abort();
        ended.signal.addEventListener('abort', () => void subscription.close(), { once: true });
        deps.live?.add(end);
        const heartbeat = setInterval(() => ctx.res.write(': keep-alive\n\n'), deps.heartbeatMs ?? 15_000);
        try {
          ctx.res.status(200).set({
            'Content-Type': 'text/event-stream',
            'Cache-Control': 'no-cache',
            Connection: 'keep-alive',
            'X-Accel-Buffering': 'no',
          });
          ctx.res.flushHeaders();
          for await (const event of subscription) {
            const alert = event.data as { kind?: string };
            // a position the caller may resume from, even past alerts not theirs
            const data = kinds.has(alert.kind ?? '')
              ? JSON.stringify({ ...event.data, position: event.position })
              : undefined;
            const message = data
              ? `id: ${event.position}\nevent: AlertRaised\ndata: ${data}\n\n`
              : `id: ${event.position}\n: not yours\n\n`;
            if (!(await writeOrWait(ctx.res, message, ended.signal))) break;
          }
          ctx.res.end();
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
