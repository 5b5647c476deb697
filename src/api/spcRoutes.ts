import type { CommandHandler } from '../app/commandHandler';
import { ValidationError } from '../domain/errors';
import { ALL_RULES, individualsLimits, type Rule } from '../domain/spc';
import type { ReadModelQueries } from '../projections/queries';
import type { Role } from './auth';
import { commandAnswer, runCommand, type RouteSpec } from './routes';

const READERS: Role[] = ['quality', 'analyst', 'auditor', 'planner'];
/** Fewer baseline points than this give limits too uncertain to judge a process by. */
export const MIN_BASELINE_POINTS = 10;

/** Control charts: their points, limits, violations and capability; limits set by quality from a baseline. */
export const spcRoutes = (deps: { queries: ReadModelQueries; commands: CommandHandler }): RouteSpec[] => [
  {
    method: 'get',
    path: '/api/spc/charts',
    summary:
      'Every control chart (product, operation, measured characteristic): limits, rules, points and violations counted',
    tag: 'spc',
    roles: READERS,
    kind: 'query',
    async handle() {
      return { body: await deps.queries.spc.list() };
    },
  },
  {
    method: 'get',
    path: '/api/spc/charts/:chartId',
    summary: 'A control chart: its points (a range, or the newest), limits, rule violations, Cp and Cpk',
    tag: 'spc',
    roles: READERS,
    kind: 'query',
    query: 'queries/spcChart',
    async handle(ctx) {
      const { from, to, limit } = ctx.query;
      return {
        body: await deps.queries.spc.view(ctx.params['chartId'] as string, {
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
          ...(limit ? { limit: Number(limit) } : {}),
        }),
      };
    },
  },
  {
    method: 'post',
    path: '/api/spc/charts/:chartId/limits',
    summary:
      "Set (or recalculate) a chart's control limits from a baseline period of its points, and the rules to run on each new point",
    tag: 'spc',
    roles: ['quality'],
    kind: 'command',
    body: 'commands/setControlLimits',
    async handle(ctx) {
      const chartId = ctx.params['chartId'] as string;
      const { from, to, rules } = ctx.body as { from: string; to: string; rules?: Rule[] };
      const chart = await deps.queries.spc.chart(chartId);
      const baseline = await deps.queries.spc.points(chartId, { from, to });
      if (baseline.length < MIN_BASELINE_POINTS)
        throw new ValidationError(
          `the baseline period holds ${baseline.length} points of chart ${chartId}; limits need at least ${MIN_BASELINE_POINTS}`,
          [{ path: '/from', message: `choose a period with at least ${MIN_BASELINE_POINTS} points` }],
        );
      const spec = chart['spec'] as { lower?: number; upper?: number } | undefined;
      const result = await runCommand(
        deps.commands,
        'spcchart',
        chartId,
        {
          type: 'SetControlLimits',
          data: {
            chartId,
            product: chart['product'] as string,
            ...(chart['operationId'] ? { operationId: chart['operationId'] as string } : {}),
            characteristic: chart['characteristic'] as string,
            limits: individualsLimits(baseline.map((p) => p.value)),
            rules: [...(rules ?? ALL_RULES)].sort(),
            baseline: { from, to },
            ...(spec
              ? {
                  spec: {
                    ...(spec.lower !== undefined ? { lower: spec.lower } : {}),
                    ...(spec.upper !== undefined ? { upper: spec.upper } : {}),
                  },
                }
              : {}),
          },
          meta: ctx.meta,
        },
        ctx,
        'api',
      );
      return { status: 200, body: commandAnswer(result), revision: result.revision };
    },
  },
];
