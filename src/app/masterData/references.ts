import type { FieldProblem } from '../../domain/errors';
import type { LineRecord, Reference, RoutingRecord } from '../../domain/masterData';
import type { MasterLookup } from './lookup';

const LABELS = { site: 'site', line: 'line', workCenter: 'work center', product: 'product', material: 'material' };

/**
 * The problems of the codes a record names, each at its path: a code that is not master data, or
 * not active at `at` (when the record takes effect), an operation its product's routing then lacks.
 */
export const checkReferences = async (
  references: readonly Reference[],
  lookup: MasterLookup,
  at: string,
): Promise<FieldProblem[]> => {
  const problems: FieldProblem[] = [];
  for (const ref of references) {
    if (ref.kind === 'operation') {
      const routing = await lookup.at<RoutingRecord>('routing', ref.product, at);
      if (!routing?.active || !routing.record.operations.some((op) => op.operationId === ref.operationId))
        problems.push({
          path: ref.path,
          message: `operation ${ref.operationId} is not in the routing of product ${ref.product} in force at ${at}`,
        });
      continue;
    }
    const found =
      ref.kind === 'material'
        ? ((await lookup.at('material', ref.code, at)) ?? (await lookup.at('product', ref.code, at)))
        : await lookup.at(ref.kind, ref.code, at);
    const what = `${LABELS[ref.kind]} ${ref.code}`;
    if (!found) {
      const defined = ref.kind !== 'material' && (await lookup.timeline(ref.kind, ref.code)) !== undefined;
      problems.push({
        path: ref.path,
        message: defined ? `${what} is not in force at ${at}` : `${what} is not defined in master data`,
      });
    } else if (!found.active) problems.push({ path: ref.path, message: `${what} is not active at ${at}` });
    else if (ref.kind === 'line' && ref.site !== undefined && (found.record as LineRecord).site !== ref.site)
      problems.push({ path: ref.path, message: `${what} belongs to site ${(found.record as LineRecord).site}` });
  }
  return problems;
};
