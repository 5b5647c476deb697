import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StoreStats } from '../app/eventStore';
import type { ProjectionStatus } from '../projections/runner';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** What the gauges read at scrape time. */
export type MetricsSources = {
  /** What the event store has written since it opened. */
  stats: Readonly<StoreStats>;
  projections: () => Promise<ProjectionStatus[]>;
  /** Route handlers still running: a live stream counts until it ends. */
  handlersInFlight: () => number;
};

export type RequestObservation = { method: string; route: string; status: number; seconds: number };

/**
 * One Prometheus registry per API (not prom-client's global one, so several APIs in one process do
 * not collide): the process and Node.js metrics, HTTP requests, projection lag, event store totals.
 */
export const createMetrics = (sources: MetricsSources) => {
  const register = new Registry();
  const registers = [register];
  collectDefaultMetrics({ register });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route'] as const,
    buckets: BUCKETS,
    registers,
  });
  const commands = new Counter({
    name: 'commands_total',
    help: 'Commands accepted',
    labelNames: ['route'] as const,
    registers,
  });
  const lag = (name: string, help: string, value: (p: ProjectionStatus) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['projection'] as const,
      registers,
      async collect() {
        this.reset();
        for (const p of await sources.projections()) this.set({ projection: p.projection }, value(p));
      },
    });
  lag('projection_lag_events', 'Events a projection is behind the log', (p) => p.lagEvents ?? -1);
  lag('projection_lag_seconds', 'Age of the newest event a projection applied while behind', (p) => p.lagSeconds);
  // the store counts; these counters show its figures as they are when scraped
  const storeTotal = (name: string, help: string, key: keyof StoreStats) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(sources.stats[key]);
      },
    });
  storeTotal('event_store_appends_total', 'Appends acknowledged by this process', 'appends');
  storeTotal('event_store_events_total', 'Events written by this process', 'events');
  storeTotal('event_store_transactions_total', 'Transactions committed (group commit)', 'transactions');
  new Gauge({
    name: 'http_handlers_in_flight',
    help: 'Route handlers still running (a live stream or an export counts until it ends)',
    registers,
    collect() {
      this.set(sources.handlersInFlight());
    },
  });
  return {
    register,
    observeRequest: ({ method, route, status, seconds }: RequestObservation): void => {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
      if (method !== 'GET' && status < 300) commands.inc({ route });
    },
  };
};

export type Metrics = ReturnType<typeof createMetrics>;
