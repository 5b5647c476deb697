import Database from 'better-sqlite3';
import { setTimeout as delay } from 'node:timers/promises';
import { asDomainEvent, type EventStore, type RecordedDomainEvent, type RecordedEvent } from '../../app/eventStore';
import type { DomainEventType } from '../../domain/aggregates';
import type { OutboxStatus } from '../../app/outbox';
import type { Logger } from '../../lib/logger';
import { OUTBOX_EVENT_TYPES, translate, type OrderMemory, type OutboundMessage } from './outboundMessages';
import { SMALL_PAGE_CACHE_KIB, limitPageCache } from '../../lib/sqlitePageCache';

/** Where outbound messages go: NATS, or an HTTP endpoint of the ERP or the WMS. */
export type Destination = {
  name: string;
  systems: OutboundMessage['system'][];
  /** Whether it takes a message of its systems (an alert robot: only the alert kinds it subscribes to). Default: all. */
  accepts?(message: OutboundMessage): boolean;
  send(message: OutboxRow): Promise<void>;
};

/**
 * What the outbox follows and the messages each event causes, when not the ERP/WMS translator (the
 * alerts' outbox): pure, so a replayed batch makes the same rows with the same keys.
 */
export type OutboxFeed = {
  eventTypes: readonly DomainEventType[];
  messagesOf(event: RecordedDomainEvent): OutboundMessage[];
};

export type OutboxRow = OutboundMessage & {
  seq: number;
  destination: string;
  attempts: number;
  createdAt: string;
};

export type RetryPolicy = {
  /** The first retry waits about this long; each next one twice as long. Default 1 s. */
  baseMs: number;
  /** The longest wait between tries. Default 5 min. */
  maxMs: number;
};

const DDL = `
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL,
  destination TEXT NOT NULL,
  system TEXT NOT NULL,
  kind TEXT NOT NULL,
  order_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  delivered_at TEXT,
  last_error TEXT,
  UNIQUE (key, destination)
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (destination, delivered_at, seq);
CREATE TABLE IF NOT EXISTS outbox_orders (order_id TEXT PRIMARY KEY, memory TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox_checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), position TEXT NOT NULL);
`;

type Row = {
  seq: number;
  key: string;
  destination: string;
  system: OutboundMessage['system'];
  kind: OutboundMessage['kind'];
  order_id: string;
  content_type: OutboundMessage['contentType'];
  body: string;
  created_at: string;
  attempts: number;
  next_attempt_at: number;
};

/** Waits `ms`, or less when `wake` settles first. */
const sleep = (ms: number, wake?: Promise<void>) => Promise.race([delay(ms), ...(wake ? [wake] : [])]);

/**
 * The outbox of the ERP and WMS bridges, in its own SQLite file. A feeder follows the event log from
 * its checkpoint and, in one transaction per batch, stores the messages the events cause (one row per
 * destination, keyed by event id and kind) with what it remembers of each order and the checkpoint:
 * a crash replays a batch whose rows already exist, so nothing is queued twice. Each destination is
 * served in order; a failed send is retried with exponential backoff (with jitter) while later
 * messages wait, and every send carries the idempotency key so a receiver drops a repeat.
 */
export const startOutbox = async (deps: {
  store: EventStore;
  path: string;
  destinations: Destination[];
  logger: Logger;
  retry?: Partial<RetryPolicy>;
  /** Default: the ERP and WMS messages (outboundMessages.ts). */
  feed?: OutboxFeed;
}) => {
  const retry: RetryPolicy = { baseMs: 1_000, maxMs: 300_000, ...deps.retry };
  const db = new Database(deps.path);
  // WAL, synced only at checkpoints (SQLite's NORMAL, which never damages the file): everything here
  // is made again from the log past the checkpoint, which goes with it, so a power cut costs a replay
  // and at most a repeated send (which the receiver drops by its key), not a lost message; and a disk
  // stall does not hold the event loop at every batch
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  limitPageCache(db, SMALL_PAGE_CACHE_KIB);
  db.exec(DDL);
  const loadCheckpoint = db.prepare<[], { position: string }>('SELECT position FROM outbox_checkpoint WHERE id = 1');
  const saveCheckpoint = db.prepare(
    'INSERT INTO outbox_checkpoint (id, position) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position',
  );
  const loadMemory = db.prepare<[string], { memory: string }>('SELECT memory FROM outbox_orders WHERE order_id = ?');
  const saveMemory = db.prepare(
    'INSERT INTO outbox_orders (order_id, memory) VALUES (?, ?) ON CONFLICT (order_id) DO UPDATE SET memory = excluded.memory',
  );
  const forget = db.prepare('DELETE FROM outbox_orders WHERE order_id = ?');
  const insert = db.prepare(
    `INSERT OR IGNORE INTO outbox (key, destination, system, kind, order_id, content_type, body, created_at)
     VALUES (@key, @destination, @system, @kind, @orderId, @contentType, @body, @createdAt)`,
  );
  const nextFor = db.prepare<[string], Row>(
    'SELECT * FROM outbox WHERE destination = ? AND delivered_at IS NULL ORDER BY seq LIMIT 1',
  );
  const delivered = db.prepare('UPDATE outbox SET delivered_at = ?, attempts = attempts + 1 WHERE seq = ?');
  const failed = db.prepare(
    'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE seq = ?',
  );

  let stopped = false;
  let wake: () => void = () => undefined;
  let woken = new Promise<void>((resolve) => (wake = resolve));
  const notify = () => {
    wake();
    woken = new Promise<void>((resolve) => (wake = resolve));
  };

  const record = db.transaction((events: RecordedEvent[], position: string | undefined) => {
    const memories = new Map<string, OrderMemory | null>();
    const recall = (orderId: string): OrderMemory | undefined => {
      if (memories.has(orderId)) return memories.get(orderId) ?? undefined;
      const row = loadMemory.get(orderId);
      return row ? (JSON.parse(row.memory) as OrderMemory) : undefined;
    };
    let queued = 0;
    for (const event of events) {
      const domainEvent = asDomainEvent(event);
      if (!domainEvent) continue;
      const outcome: ReturnType<typeof translate> = deps.feed
        ? { messages: deps.feed.messagesOf(domainEvent) }
        : translate(domainEvent, recall);
      if (outcome.orderId && outcome.memory !== undefined) memories.set(outcome.orderId, outcome.memory);
      for (const message of outcome.messages) {
        for (const destination of deps.destinations) {
          if (!destination.systems.includes(message.system)) continue;
          if (destination.accepts && !destination.accepts(message)) continue;
          insert.run({ ...message, destination: destination.name, createdAt: event.recordedAt });
          queued += 1;
        }
      }
    }
    for (const [orderId, memory] of memories) {
      if (memory === null) forget.run(orderId);
      else saveMemory.run(orderId, JSON.stringify(memory));
    }
    if (position) saveCheckpoint.run(position);
    return queued;
  });

  const subscription = deps.store.subscribe({
    after: loadCheckpoint.get()?.position,
    filter: { eventTypes: [...(deps.feed?.eventTypes ?? OUTBOX_EVENT_TYPES)] },
    batchSize: 500,
  });
  const feeder = (async () => {
    while (!stopped) {
      const batch = await subscription.nextBatch(500);
      if (batch.length === 0) break;
      if (record(batch, subscription.checkpoint) > 0) notify();
    }
  })().catch((error: unknown) => deps.logger.error('outbox feeder stopped', { error }));

  const backoff = (attempts: number): number => {
    const exponential = Math.min(retry.maxMs, retry.baseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(exponential * (0.75 + Math.random() * 0.5));
  };

  const serve = async (destination: Destination): Promise<void> => {
    while (!stopped) {
      const row = nextFor.get(destination.name);
      if (!row) {
        await sleep(1_000, woken);
        continue;
      }
      const wait = row.next_attempt_at - Date.now();
      if (wait > 0) {
        await sleep(Math.min(wait, 1_000));
        continue;
      }
      const message: OutboxRow = {
        seq: row.seq,
        key: row.key,
        destination: row.destination,
        system: row.system,
        kind: row.kind,
        orderId: row.order_id,
        contentType: row.content_type,
        body: row.body,
        attempts: row.attempts,
        createdAt: row.created_at,
      };
      try {
        await destination.send(message);
        delivered.run(new Date().toISOString(), row.seq);
      } catch (error) {
        const attempts = row.attempts + 1;
        const delay = backoff(attempts);
        failed.run(Date.now() + delay, String((error as Error).message ?? error).slice(0, 500), row.seq);
        deps.logger.warn('outbound message not delivered; will retry', {
          destination: destination.name,
          kind: row.kind,
          key: row.key,
          attempts,
          retryInMs: delay,
          error: String(error),
        });
      }
    }
  };
  const servers = deps.destinations.map((destination) =>
    serve(destination).catch((error: unknown) =>
      deps.logger.error('outbox delivery stopped', { destination: destination.name, error }),
    ),
  );

  const status = db.prepare<[], { destination: string; pending: number; failing: number; delivered: number }>(
    `SELECT destination,
            SUM(delivered_at IS NULL) AS pending,
            SUM(delivered_at IS NULL AND attempts > 0) AS failing,
            SUM(delivered_at IS NOT NULL) AS delivered
       FROM outbox GROUP BY destination`,
  );
  const lastFailure = db.prepare<[string], { key: string; kind: string; attempts: number; last_error: string }>(
    `SELECT key, kind, attempts, last_error FROM outbox
      WHERE destination = ? AND delivered_at IS NULL AND attempts > 0 ORDER BY seq LIMIT 1`,
  );

  return {
    /** Per destination: messages waiting, failing (tried and waiting for a retry), delivered; the first failure. */
    status(): OutboxStatus[] {
      const rows = new Map(status.all().map((row) => [row.destination, row]));
      return deps.destinations.map(({ name }) => {
        const row = rows.get(name) ?? { destination: name, pending: 0, failing: 0, delivered: 0 };
        return { ...row, ...(row.failing > 0 ? { oldestFailure: lastFailure.get(name) } : {}) };
      });
    },
    /** Every row, in order: for tests and for an integrator's audit. */
    rows(): (Row & { delivered_at: string | null; last_error: string | null })[] {
      return db
        .prepare<[], Row & { delivered_at: string | null; last_error: string | null }>(
          'SELECT * FROM outbox ORDER BY seq',
        )
        .all();
    },
    async stop(): Promise<void> {
      stopped = true;
      notify();
      await subscription.close();
      await feeder;
      await Promise.all(servers);
      db.close();
    },
  };
};
