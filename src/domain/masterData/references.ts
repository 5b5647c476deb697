import type { FieldProblem } from '../errors';

/** A code a record names, to be checked against master data: what it must be and where it stands. */
export type Reference =
  | { path: string; kind: 'site' | 'workCenter' | 'product'; code: string }
  /** A line, of the given site when one is named. */
  | { path: string; kind: 'line'; code: string; site?: string }
  /** A product or a purchased material. */
  | { path: string; kind: 'material'; code: string }
  /** An operation of a product's routing, as in force when the naming record takes effect. */
  | { path: string; kind: 'operation'; product: string; operationId: string };

/** The problems of ids that appear twice in a list, each named by its path. */
export const repeated = (ids: readonly string[], path: (index: number) => string, what: string): FieldProblem[] =>
  ids.flatMap((id, index) =>
    ids.indexOf(id) !== index ? [{ path: path(index), message: `${what} ${id} appears twice` }] : [],
  );
