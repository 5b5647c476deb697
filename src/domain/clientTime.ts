import { ValidationError } from './errors';
import type { AnyCommand } from './messages';

/**
 * Times given by clients (a PDA's scan, a device's state, a WMS receipt, maintenance performed) are
 * bounded on both sides: not later than the server's time plus the configured skew (checked by the
 * command handler, which knows when the input arrived), not earlier than the aggregate allows (checked
 * by the decider, which knows the aggregate: an order's release, a machine's registration).
 */

/** Data fields that carry a client's time, per command type (the command's own time, `meta.now`, is checked beside them). */
export const CLIENT_TIME_FIELDS: Readonly<Record<string, readonly string[]>> = {
  ChangeMachineState: ['at'],
  RecordEnergy: ['intervalStart', 'intervalEnd'],
  RecordCount: ['intervalStart', 'intervalEnd'],
  PerformMaintenance: ['performedAt'],
  ClockIn: ['at'],
  ClockOut: ['at'],
};

/**
 * How much earlier than the aggregate's earliest time a client time may be and still be taken, recorded
 * at that earliest time: a PDA or a device whose clock is a few seconds behind the server's does not lose
 * its first scan after a release or its first state after a registration (both stamped by the server).
 */
export const EARLY_TOLERANCE_MS = 5_000;

/** The client times of a command: its own time (`meta.now`) named by `nowField`, and the data fields above. */
export const clientTimesOf = (command: AnyCommand, nowField: string): Array<{ path: string; at: string }> => {
  const times = [{ path: nowField, at: command.meta.now }];
  for (const field of CLIENT_TIME_FIELDS[command.type] ?? []) {
    const value = command.data[field];
    const path = `/${field}`;
    if (typeof value === 'string' && !times.some((t) => t.path === path && t.at === value))
      times.push({ path, at: value });
  }
  return times;
};

/** Refuses (400, rule `time-in-future`) a client time later than when the input arrived plus the allowed skew. */
export const checkNotFuture = (
  times: ReadonlyArray<{ path: string; at: string }>,
  receivedAt: string,
  skewMs: number,
): void => {
  const limit = Date.parse(receivedAt) + skewMs;
  const late = times.filter((t) => Date.parse(t.at) > limit);
  const first = late[0];
  if (!first) return;
  throw new ValidationError(
    `${first.path.slice(1)} ${first.at} is later than the server's time ${receivedAt} plus the allowed clock skew (${skewMs / 1000} s)`,
    late.map((t) => ({ path: t.path, message: `is later than the server's time plus ${skewMs / 1000} s` })),
    { rule: 'time-in-future', params: { field: first.path.slice(1), at: first.at, serverTime: receivedAt } },
  );
};

/**
 * The time to record for a client time `at` that may not be earlier than `earliest` (`what` says
 * why, e.g. `order PO-1's release`): `at` itself, or `earliest` when `at` is at most
 * EARLY_TOLERANCE_MS before it; earlier still is refused (400, rule `time-before-<rule>`), naming `path`.
 */
export const notBefore = (
  at: string,
  earliest: string | undefined,
  path: string,
  rule: string,
  what: string,
): string => {
  // an aggregate whose earliest time is unknown (an old stream) bounds nothing
  if (earliest === undefined || Number.isNaN(Date.parse(earliest)) || Date.parse(at) >= Date.parse(earliest)) return at;
  if (Date.parse(at) >= Date.parse(earliest) - EARLY_TOLERANCE_MS) return earliest;
  throw new ValidationError(
    `${path.slice(1)} ${at} is before ${what} at ${earliest}`,
    [{ path, message: `is before ${what} (${earliest})` }],
    { rule: `time-before-${rule}`, params: { field: path.slice(1), at, earliest } },
  );
};
