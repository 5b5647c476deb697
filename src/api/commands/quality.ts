import type { DispositionBody } from '../../domain/generated';
import { commandRoute, type RouteSpec } from '../routes';
import { optional, param, str, type CommandRoutesDeps } from './shared';

/** A disposition decided on a nonconformance, with the note when one was given. */
export const dispositionOf = (nonconformanceId: string, body: DispositionBody) => ({
  nonconformanceId,
  ...optional(body.disposition, 'disposition'),
  ...optional(body.dispositions, 'dispositions'),
  ...optional(body.note, 'note'),
  ...optional(body.reasonCode, 'reasonCode'),
});

/** Quality: inspections requested and recorded, nonconformances disposed. */
export const qualityRoutes = (deps: CommandRoutesDeps): RouteSpec[] => [
  commandRoute({
    deps,
    path: '/api/inspections',
    summary: 'Request an inspection',
    tag: 'quality',
    roles: ['operator', 'quality'],
    body: 'commands/requestInspection',
    aggregate: 'inspection',
    created: true,
    id: (ctx) => str(ctx, 'inspectionId'),
    // without an order it is the incoming inspection of a received lot
    command: (ctx) => ({
      type: 'RequestInspection',
      data: { ...ctx.body, reason: ctx.body.orderId ? 'operator' : 'incoming' },
    }),
  }),
  commandRoute({
    deps,
    path: '/api/inspections/:inspectionId/results',
    summary: 'Record inspection results',
    tag: 'quality',
    roles: ['quality'],
    body: 'commands/inspectionResults',
    aggregate: 'inspection',
    id: (ctx) => param(ctx, 'inspectionId'),
    command: (ctx) => ({
      type: 'RecordInspectionResults',
      data: { inspectionId: param(ctx, 'inspectionId'), results: ctx.body['results'] },
    }),
  }),
  commandRoute({
    deps,
    path: '/api/nonconformances/:nonconformanceId/disposition',
    summary: 'Decide a disposition (use as is needs the quality role)',
    tag: 'quality',
    roles: ['quality', 'planner'],
    body: 'commands/disposition',
    aggregate: 'nonconformance',
    id: (ctx) => param(ctx, 'nonconformanceId'),
    command: (ctx) => ({
      type: 'DecideDisposition',
      data: dispositionOf(param(ctx, 'nonconformanceId'), ctx.body),
    }),
  }),
  commandRoute({
    deps,
    path: '/api/nonconformances',
    summary: 'Raise a nonconformance by hand (from an inspection, a customer complaint or a supplier lot)',
    tag: 'quality',
    roles: ['quality'],
    body: 'commands/raiseNonconformance',
    aggregate: 'nonconformance',
    created: true,
    id: (ctx) => str(ctx, 'nonconformanceId'),
    command: (ctx) => ({
      type: 'RaiseNonconformance',
      data: { ...ctx.body, failed: [], raisedBy: ctx.meta.actor },
    }),
  }),
  commandRoute({
    deps,
    path: '/api/orders/:orderId/holds/:holdId/release',
    summary: 'Release a hold point (a required inspection or an open nonconformance) with a reason',
    tag: 'quality',
    roles: ['quality'],
    body: 'commands/reason',
    aggregate: 'order',
    id: (ctx) => param(ctx, 'orderId'),
    command: (ctx) => ({
      type: 'ReleaseHold',
      data: { orderId: param(ctx, 'orderId'), holdId: param(ctx, 'holdId'), reason: str(ctx, 'reason') },
    }),
  }),
];
