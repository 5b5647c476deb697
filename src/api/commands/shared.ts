import type { CommandHandler } from '../../app/commandHandler';
import type { ScanService } from '../../app/scans';
import type { AggregateName, CommandOf as DomainCommandOf } from '../../domain/aggregates';
import type { IdempotencyStore } from '../idempotency';
import type { CommandBody, RouteContext } from '../routes';

/** `idempotency` also keeps each caller's scan ids with their digest (a reused id with other content is a 409). */
export type CommandRoutesDeps = { commands: CommandHandler; scans: ScanService; idempotency: IdempotencyStore };

/** A command to aggregate K as a route builds it; the handler adds the metadata. */
export type CommandOf<K extends AggregateName> = CommandBody<DomainCommandOf[K]>;

/** A body field the route's schema has already checked to be a string. */
export const str = (ctx: { body: object }, name: string): string =>
  (ctx.body as Record<string, unknown>)[name] as string;

/** A path parameter (checked as an id before the handler runs). */
export const param = (ctx: Pick<RouteContext, 'params'>, name: string): string => ctx.params[name] as string;

/** `{ [name]: value }`, or nothing when the value was not given: optional command fields stay absent. */
export const optional = <T>(value: T | undefined, name: string): Record<string, T> =>
  value === undefined ? {} : { [name]: value };
