import type { Document, Filter } from '../app/readStore';
import type { YieldDimension } from './models/yields';
import { paretoOf, ratio, rolledThroughputYield } from './models/yieldsCore';
import { createAnswerCache } from './answerCache';

const num = (doc: Document, field: string): number => (doc[field] as number | undefined) ?? 0;

const figures = (doc: Document) => ({
  units: num(doc, 'units'),
  firstPassGood: num(doc, 'firstPassGood'),
  good: num(doc, 'finalGood'),
  scrap: num(doc, 'scrap'),
  rework: num(doc, 'rework'),
  inspectionRejected: num(doc, 'inspectionRejected'),
  firstPassYield: ratio(num(doc, 'firstPassGood'), num(doc, 'units')),
  finalYield: ratio(num(doc, 'finalGood'), num(doc, 'units')),
});

export type YieldRow = ReturnType<typeof figures> & {
  dimension: YieldDimension;
  key: string;
  /** Products only: the product of its operations' first-pass yields, and those. */
  rolledThroughputYield?: number | null;
  operations?: Array<{ operationId: string; firstPassYield: number | null }>;
};

/**
 * Yields by dimension (with the rolled throughput yield per product) and the two defect Pareto views.
 * None depends on the clock: each answer is kept while the `yields` read model's `version` holds
 * (default none: nothing kept).
 */
export const yieldsQueries = (
  all: (collection: string, filter?: Filter) => Promise<Document[]>,
  version: () => Promise<string | undefined> = () => Promise.resolve(undefined),
) => {
  const answers = createAnswerCache(100);
  const kept =
    <A extends unknown[], T>(name: string, compute: (...args: A) => Promise<T>) =>
    (...args: A): Promise<T> =>
      answers.get(JSON.stringify([name, ...args]), version, () => compute(...args));
  return {
    yields: kept('yields', (dimension: YieldDimension) => yieldsOf(all, dimension)),
    /** Defective units by cause (each unit once, at its first pass), most first with cumulative share. */
    defectUnits: kept('defectUnits', async () =>
      paretoOf(
        (await all('defectUnits')).map((d) => ({
          kind: d['kind'] as string,
          reason: d['reason'] as string,
          units: num(d, 'units'),
        })),
        (r) => r.units,
      ),
    ),
    /** Failed characteristics of every inspection (a unit failing two counts twice), most first. */
    characteristicFailures: kept('characteristicFailures', async () =>
      paretoOf(
        (await all('characteristicFailures')).map((d) => ({
          characteristic: d['characteristic'] as string,
          failures: num(d, 'failures'),
        })),
        (r) => r.failures,
      ),
    ),
  };
};

const yieldsOf = async (
  all: (collection: string, filter?: Filter) => Promise<Document[]>,
  dimension: YieldDimension,
): Promise<YieldRow[]> => {
  const rows = (await all('rollups', { dimension }))
    .sort((a, b) => String(a['key']).localeCompare(String(b['key'])))
    .map((doc) => ({ dimension, key: doc['key'] as string, ...figures(doc) }));
  if (dimension !== 'product') return rows;
  const operations = (await all('rollups', { dimension: 'operation' })).sort((a, b) =>
    String(a['key']).localeCompare(String(b['key'])),
  );
  return rows.map((row) => {
    const mine = operations
      .filter((o) => String(o['key']).startsWith(`${row.key}/`))
      .map((o) => ({
        operationId: String(o['key']).slice(row.key.length + 1),
        firstPassYield: ratio(num(o, 'firstPassGood'), num(o, 'units')),
      }));
    return {
      ...row,
      rolledThroughputYield: rolledThroughputYield(mine.map((o) => o.firstPassYield)),
      operations: mine,
    };
  });
};
