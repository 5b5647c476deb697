/**
 * The pure core of the yields: how an operation's reports and inspections become units judged once
 * at the first pass and once at the end. See README "Quality figures" for the rules in prose.
 */

/** One operation of one order, as the yields projection keeps it. */
export type OperationYield = {
  /** Units the operation received: the order quantity (first operation) or the previous operation's good. */
  received: number;
  /** Units judged at their first pass (each unit once). */
  units: number;
  firstPassGood: number;
  /** Good reported, first pass and after rework. */
  good: number;
  /** Units whose last report is scrap (scrap re-reported good after rework is not here). */
  scrap: number;
  /** Units sent to rework at their first pass. */
  rework: number;
  /** Reworked units not yet reported again (they count as recovered until reported scrap). */
  reworkPending: number;
  /** Scrapped units that may still come back good after rework (scrap + re-report). */
  scrapRecoverable: number;
  /** Failed inspections (first decisions) of this operation: units and whether they were recovered. */
  inspections: Record<
    string,
    {
      units: number;
      state: 'pending' | 'recovered' | 'lost';
      /** Of those, units a scrap disposition has already moved from good to scrap (not to be taken off again). */
      scrapped?: number;
    }
  >;
};

export const emptyOperation = (received: number): OperationYield => ({
  received,
  units: 0,
  firstPassGood: 0,
  good: 0,
  scrap: 0,
  rework: 0,
  reworkPending: 0,
  scrapRecoverable: 0,
  inspections: {},
});

export type Report = { good: number; scrap: number; rework: number };

/** A report split into first-pass judgements and re-judgements of reworked or scrapped units. */
export type SplitReport = { first: Report; again: Report };

/**
 * Applies one quantity report. The rule: an operation judges at most the units it received for the
 * first time; what a report carries beyond that is a re-report of units earlier reported rework or
 * scrap (as many as are waiting), never a new unit. A re-reported unit is good (recovered after
 * rework, from the rework waiting first, then from scrap), scrap (lost after rework, only from the
 * rework waiting) or rework again. So a unit is counted once whichever way rework is reported:
 * `rework: n` (then nothing, or good/scrap later), or `scrap: n` then `good: n` after rework.
 */
export const applyReport = (op: OperationYield, report: Report): SplitReport => {
  const capacity = Math.max(0, op.received - op.units);
  const total = report.good + report.scrap + report.rework;
  const again = Math.min(Math.max(0, total - capacity), op.reworkPending + op.scrapRecoverable);
  const scrapAgain = Math.min(report.scrap, again, op.reworkPending);
  const goodAgain = Math.min(report.good, again - scrapAgain);
  const reworkAgain = again - scrapAgain - goodAgain;
  const goodFromRework = Math.min(op.reworkPending - scrapAgain, goodAgain);
  const goodFromScrap = goodAgain - goodFromRework;
  const first = {
    good: report.good - goodAgain,
    scrap: report.scrap - scrapAgain,
    rework: report.rework - reworkAgain,
  };
  op.units += first.good + first.scrap + first.rework;
  op.firstPassGood += first.good;
  op.good += report.good;
  op.rework += first.rework;
  op.reworkPending += first.rework - scrapAgain - goodFromRework;
  op.scrapRecoverable += first.scrap - goodFromScrap;
  op.scrap += report.scrap - goodFromScrap;
  return { first, again: { good: goodAgain, scrap: scrapAgain, rework: reworkAgain } };
};

/** Units a failed inspection takes out of the first-pass good (never more than are left). */
export const failInspection = (op: OperationYield, id: string, units: number): number => {
  if (op.inspections[id]) return 0;
  const taken = Object.values(op.inspections).reduce((sum, i) => sum + i.units, 0);
  const out = Math.max(0, Math.min(units, op.firstPassGood - taken));
  op.inspections[id] = { units: out, state: 'pending' };
  return out;
};

/** The figures an operation contributes to every roll-up (additive). */
export type YieldFigures = {
  units: number;
  firstPassGood: number;
  finalGood: number;
  scrap: number;
  rework: number;
  inspectionRejected: number;
};

export const FIGURES: ReadonlyArray<keyof YieldFigures> = [
  'units',
  'firstPassGood',
  'finalGood',
  'scrap',
  'rework',
  'inspectionRejected',
];

/**
 * First-pass good: reported good at the first pass, less the units of failed inspections. Final good:
 * everything reported good, plus rework not reported again (recovered), less inspection rejects not
 * recovered (pending a disposition or disposed as scrap or returned); rejects lost count as scrap.
 */
export const figuresOf = (op: OperationYield): YieldFigures => {
  // one pass, no arrays: projections call this twice for every report
  let rejected = 0;
  let notRecovered = 0;
  let lost = 0;
  for (const id in op.inspections) {
    const i = op.inspections[id] as OperationYield['inspections'][string];
    const open = i.units - (i.scrapped ?? 0);
    rejected += i.units;
    if (i.state !== 'recovered') notRecovered += open;
    if (i.state === 'lost') lost += open;
  }
  return {
    units: op.units,
    firstPassGood: op.firstPassGood - rejected,
    finalGood: op.good + op.reworkPending - notRecovered,
    scrap: op.scrap + lost,
    rework: op.rework,
    inspectionRejected: rejected,
  };
};

export const ratio = (numerator: number, denominator: number): number | null =>
  denominator > 0 ? numerator / denominator : null;

/** Rolled throughput yield: the product of the operations' first-pass yields (null when one is unknown). */
export const rolledThroughputYield = (firstPassYields: ReadonlyArray<number | null>): number | null =>
  firstPassYields.length === 0 || firstPassYields.some((y) => y === null)
    ? null
    : firstPassYields.reduce<number>((product, y) => product * (y as number), 1);

/** Rows sorted by their measure, most first, each with the cumulative share of the view's total. */
export const paretoOf = <T extends Record<string, unknown>>(rows: T[], measure: (row: T) => number) => {
  const label = (row: T): string => String(row['reason'] ?? row['characteristic']);
  const sorted = [...rows].sort((a, b) => measure(b) - measure(a) || label(a).localeCompare(label(b)));
  const total = sorted.reduce((sum, r) => sum + measure(r), 0);
  let running = 0;
  return sorted.map((r) => {
    running += measure(r);
    return { ...r, cumulativeShare: ratio(running, total) };
  });
};
