import { canonicalJson } from '../../lib/canonicalJson';
import { NotFoundError, ValidationError, refuse, type FieldProblem } from '../errors';

export { nameIn, type Language, type Names } from '../names';

/** The data of a `<Kind>Defined` or `<Kind>Revised` event: one whole version of a record. */
export type RecordVersion<R> = { code: string; version: number; effectiveFrom: string; record: R };
/** The data of a `<Kind>Deactivated` event. */
export type RecordDeactivation = { code: string; effectiveFrom: string; reason?: string };

/** One change of a record, in the order it was recorded. */
export type TimelineEntry<R> =
  | { change: 'version'; version: number; effectiveFrom: string; record: R }
  | { change: 'deactivation'; effectiveFrom: string; reason?: string };
export type Timeline<R> = readonly TimelineEntry<R>[];

/** What is in force at an instant: the version, and whether the record is active from `since`. */
export type InForce<R> = { version: number; effectiveFrom: string; record: R; active: boolean; since: string };

/** The change a command asks of one record. */
export type RecordChange<R> =
  | { change: 'define' | 'revise'; code: string; effectiveFrom?: string; record: R }
  | { change: 'deactivate'; code: string; effectiveFrom?: string; reason?: string };

/** What a change records; undefined when it changes nothing (the same version again, already inactive). */
export type RecordOutcome<R> =
  | { event: 'Defined' | 'Revised'; data: RecordVersion<R> }
  | { event: 'Deactivated'; data: RecordDeactivation }
  | undefined;

/** How a kind of record is named in refusals, and its checks on a record's content. */
export type RecordRules<R> = {
  /** Prefix of the refusal rules: `product` gives `product-exists`. */
  rule: string;
  /** In messages: `product`, `work center`. */
  label: string;
  /** Problems of a record's content beyond its schema (repeated ids, limits in the wrong order). */
  validate: (record: R) => FieldProblem[];
};

const instant = (iso: string): number => Date.parse(iso);

/**
 * The latest entry of the timeline in force at `at`: the greatest effectiveFrom not after it, the
 * later recorded one among equals. A revision dated before another one is in force between the two.
 */
const latest = <E extends { effectiveFrom: string }>(entries: readonly E[], at: number): E | undefined => {
  let found: E | undefined;
  for (const entry of entries) {
    if (instant(entry.effectiveFrom) > at) continue;
    if (found === undefined || instant(entry.effectiveFrom) >= instant(found.effectiveFrom)) found = entry;
  }
  return found;
};

/** The version of a record in force at `at`, and whether it is active then; undefined before the first one. */
export const inForce = <R>(timeline: Timeline<R>, at: string): InForce<R> | undefined => {
  const when = instant(at);
  const versions = timeline.filter(
    (e): e is Extract<TimelineEntry<R>, { change: 'version' }> => e.change === 'version',
  );
  const version = latest(versions, when);
  if (!version) return undefined;
  const last = latest(timeline, when) as TimelineEntry<R>;
  const { effectiveFrom, record } = version;
  const active = last.change === 'version';
  return { version: version.version, effectiveFrom, record, active, since: last.effectiveFrom };
};

export const versionCount = <R>(timeline: Timeline<R>): number =>
  timeline.reduce((n, e) => (e.change === 'version' ? n + 1 : n), 0);

/** The timeline after an event of the record. */
export const withEntry = <R>(
  timeline: Timeline<R>,
  event: Exclude<RecordOutcome<R>, undefined>,
): TimelineEntry<R>[] => {
  if (event.event === 'Deactivated') {
    const { effectiveFrom, reason } = event.data;
    return [...timeline, { change: 'deactivation', effectiveFrom, ...(reason ? { reason } : {}) }];
  }
  const { version, effectiveFrom, record } = event.data;
  return [...timeline, { change: 'version', version, effectiveFrom, record }];
};

const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

/**
 * Decides a define, revise or deactivate of one record given its timeline (undefined: not defined).
 * The same record again writes nothing, so a repeated import is harmless; a define of an existing
 * record with other content is refused (revise it instead).
 */
export const decideChange = <R>(
  timeline: Timeline<R> | undefined,
  change: RecordChange<R>,
  now: string,
  rules: RecordRules<R>,
): RecordOutcome<R> => {
  const { code } = change;
  const effectiveFrom = change.effectiveFrom ?? now;
  if (change.change !== 'deactivate') {
    const problems = rules.validate(change.record);
    if (problems.length > 0) {
      const first = problems[0] as FieldProblem;
      throw new ValidationError(`${rules.label} ${code} is invalid: ${first.path} ${first.message}`, problems);
    }
  }
  if (change.change === 'define') {
    if (timeline === undefined)
      return { event: 'Defined', data: { code, version: 1, effectiveFrom, record: change.record } };
    const last = [...timeline].reverse().find((e) => e.change === 'version');
    if (last?.change === 'version' && same(last.record, change.record)) return undefined;
    return refuse(`${rules.rule}-exists`, `${rules.label} ${code} already exists; revise it instead`);
  }
  if (timeline === undefined) throw new NotFoundError(`${rules.label} ${code} is not defined`);
  const current = inForce(timeline, effectiveFrom);
  if (change.change === 'revise') {
    // the content already in force then: a repeated revision or import
    if (current?.active && same(current.record, change.record)) return undefined;
    const version = versionCount(timeline) + 1;
    return { event: 'Revised', data: { code, version, effectiveFrom, record: change.record } };
  }
  if (!current)
    return refuse(`${rules.rule}-not-in-force`, `${rules.label} ${code} has no version in force at ${effectiveFrom}`);
  if (!current.active) return undefined;
  const reason = change.change === 'deactivate' ? change.reason : undefined;
  return { event: 'Deactivated', data: { code, effectiveFrom, ...(reason ? { reason } : {}) } };
};
