/** Per destination: messages waiting, failing (tried, waiting for a retry) and delivered, and the first failure. */
export type OutboxStatus = {
  destination: string;
  pending: number;
  failing: number;
  delivered: number;
  oldestFailure?: { key: string; kind: string; attempts: number; last_error: string } | undefined;
};

/** What the API may ask of the ERP/WMS outbox: its delivery status, for integrators and auditors. */
export type OutboxMonitor = { status(): OutboxStatus[] };
