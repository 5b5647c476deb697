import { ValidationError } from '../errors';
import type * as Schema from '../generated';
import type { Command, Decider, Event } from '../messages';
import { newViolations, type Rule } from './charts';

/** Stream `spcchart-<chartId>`: a measured characteristic's control chart (product, operation, characteristic). */
export type ControlLimitsSet = Event<'ControlLimitsSet', Schema.ControlLimitsSetV1>;
export type SpcPointEvaluated = Event<'SpcPointEvaluated', Schema.SpcPointEvaluatedV1>;
export type SpcEvent = ControlLimitsSet | SpcPointEvaluated;

export type SetControlLimits = Command<
  'SetControlLimits',
  Omit<Schema.ControlLimitsSetV1, 'version' | 'setBy' | 'setAt'>
>;
/** A measured result to place on the chart (sent by the SPC process for each inspection's result). */
export type EvaluateSpcPoint = Command<
  'EvaluateSpcPoint',
  Pick<
    Schema.SpcPointEvaluatedV1,
    'chartId' | 'inspectionId' | 'orderId' | 'operationId' | 'lotId' | 'characteristic' | 'value'
  >
>;
export type SpcCommand = SetControlLimits | EvaluateSpcPoint;

/** The points the rules need: rule 4 looks at the last eight, and one before them. */
const KEPT = 9;
/** Inspections already placed, to place each once (a process replaying its last directives). */
const REMEMBERED = 200;

export type SpcState =
  | { status: 'Initial' }
  | {
      status: 'Charted';
      version: number;
      center: number;
      sigma: number;
      rules: Rule[];
      /** The newest points since the limits were set: value and inspection. */
      recent: Array<{ value: number; inspectionId: string }>;
      placed: string[];
    };

export const spcEventTypes = ['ControlLimitsSet', 'SpcPointEvaluated'] as const satisfies readonly SpcEvent['type'][];

/** A chart per product, operation and measured characteristic. */
export const chartIdOf = (product: string, operationId: string | undefined, characteristic: string): string =>
  [product, operationId ?? 'incoming', characteristic].join('.');

export const spcDecider: Decider<SpcCommand, SpcEvent, SpcState> = {
  category: 'spcchart',
  initialState: { status: 'Initial' },
  eventTypes: spcEventTypes,
  decide: (command, state) => {
    const now = command.meta.now;
    if (command.type === 'SetControlLimits') {
      const { limits, baseline } = command.data;
      if (Date.parse(baseline.to) <= Date.parse(baseline.from))
        throw new ValidationError('the baseline period ends after it starts', [
          { path: '/to', message: 'must be later than from' },
        ]);
      if (!(limits.sigma > 0))
        throw new ValidationError('the baseline points do not vary: no limits can be set from them', [
          { path: '/from', message: 'choose a period whose points vary' },
        ]);
      const version = state.status === 'Charted' ? state.version + 1 : 1;
      return [{ type: 'ControlLimitsSet', data: { ...command.data, version, setBy: command.meta.actor, setAt: now } }];
    }
    // no limits yet, or this inspection already placed: nothing to evaluate
    if (state.status !== 'Charted' || state.placed.includes(command.data.inspectionId)) return [];
    const points = [...state.recent, { value: command.data.value, inspectionId: command.data.inspectionId }];
    const violations = newViolations(
      points.map((p) => p.value),
      state,
      state.rules,
    ).map((v) => ({
      rule: v.rule,
      side: v.side,
      inspections: v.points.map((i) => (points[i] as { inspectionId: string }).inspectionId),
    }));
    return [
      {
        type: 'SpcPointEvaluated',
        data: { ...command.data, center: state.center, sigma: state.sigma, violations, evaluatedAt: now },
      },
    ];
  },
  evolve: (state, event) => {
    if (event.type === 'ControlLimitsSet') {
      const { version, limits, rules } = event.data;
      return {
        status: 'Charted',
        version,
        center: limits.center,
        sigma: limits.sigma,
        rules: rules,
        recent: [],
        placed: state.status === 'Charted' ? state.placed : [],
      };
    }
    if (state.status !== 'Charted') return state;
    const { value, inspectionId } = event.data;
    return {
      ...state,
      recent: [...state.recent, { value, inspectionId }].slice(-KEPT),
      placed: [...state.placed, inspectionId].slice(-REMEMBERED),
    };
  },
};
