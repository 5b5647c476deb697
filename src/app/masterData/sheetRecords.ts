import type { FieldProblem } from '../../domain/errors';
import { columnOf, readCell, type Column, type SheetLayout } from './sheetLayouts';

/** A sheet as read from a file: its name and its rows of cells, the header first. */
export type SheetTable = { name: string; rows: string[][] };

/** A bad cell: the row number a spreadsheet shows (the header is row 1) and the column's header. */
export type RowProblem = { sheet: string; row: number; column: string; message: string };

/** Columns whose cells describe an operation or a BOM line rather than the whole record. */
const ITEM_LAYOUTS: Record<string, string> = { routing: 'operations', bom: 'lines' };
const RECORD_FIELDS = new Set(['code', 'effectiveFrom', 'overlap', 'kind', 'source']);

/** One record read from its rows: the body of its define command, and which row holds what. */
export type SheetRecord = {
  layout: SheetLayout;
  code: string;
  /** `{ code, effectiveFrom?, ...record }`, as the define route takes it (and `kind` for a reason code). */
  body: Record<string, unknown>;
  /** The rows of the record: item i (an operation, a BOM line) is on `rows[i]`. */
  rows: number[];
  problems: RowProblem[];
};

export const isItem = (layout: SheetLayout, column: Column): boolean =>
  ITEM_LAYOUTS[layout.sheet] !== undefined && !(RECORD_FIELDS.has(column.field) && column.header !== 'operationCode');

/** The columns of a header row, or the problems of the header: unknown, repeated or missing columns. */
export const readHeader = (
  layout: SheetLayout,
  header: readonly string[],
): { columns: (Column | undefined)[]; problems: RowProblem[] } => {
  const problems: RowProblem[] = [];
  const at = (column: string, message: string) => problems.push({ sheet: layout.sheet, row: 1, column, message });
  const columns = header.map((text) => {
    if (text.trim() === '') return undefined;
    const column = columnOf(layout, text);
    if (!column)
      at(text, `is not a column of sheet ${layout.sheet}: ${layout.columns.map((c) => c.header).join(', ')}`);
    return column;
  });
  columns.forEach((c, i) => {
    if (c && columns.indexOf(c) !== i) at(header[i] as string, 'appears twice');
  });
  for (const c of layout.columns) if (c.required && !columns.includes(c)) at(c.header, 'is missing');
  return { columns, problems };
};

const setField = (target: Record<string, unknown>, field: string, value: unknown): void => {
  if (value === undefined) return;
  if (field.startsWith('names.')) {
    const names = (target['names'] ?? {}) as Record<string, unknown>;
    target['names'] = { ...names, [field.slice('names.'.length)]: value };
  } else target[field] = value;
};

type ParsedRow = {
  row: number;
  record: Record<string, unknown>;
  item: Record<string, unknown>;
  problems: RowProblem[];
};

const parseRow = (layout: SheetLayout, columns: (Column | undefined)[], cells: string[], row: number): ParsedRow => {
  const parsed: ParsedRow = { row, record: { names: {} }, item: {}, problems: [] };
  columns.forEach((column, i) => {
    if (!column || column.exportOnly) return;
    const { value, problem } = readCell(column, cells[i] ?? '');
    if (problem) parsed.problems.push({ sheet: layout.sheet, row, column: column.header, message: problem });
    setField(isItem(layout, column) ? parsed.item : parsed.record, column.field, value);
  });
  return parsed;
};

/** The defaults a sheet leaves to a blank cell: no inspection. */
const itemOf = (layout: SheetLayout, item: Record<string, unknown>): Record<string, unknown> =>
  layout.sheet === 'routing' ? { inspectionRequired: false, ...item } : item;

/**
 * The records of a sheet's rows: one per row, or for a routing or BOM sheet one per product, its
 * operations or lines in the order of the rows. Blank rows are skipped, their numbers kept.
 */
export const readRecords = (
  layout: SheetLayout,
  table: SheetTable,
): { records: SheetRecord[]; header: RowProblem[] } => {
  const [head = [], ...data] = table.rows;
  const { columns, problems } = readHeader(layout, head);
  if (problems.length > 0) return { records: [], header: problems };
  const rows = data
    .map((cells, i) => ({ cells, row: i + 2 }))
    .filter(({ cells }) => cells.some((c) => c.trim() !== ''))
    .map(({ cells, row }) => parseRow(layout, columns, cells, row));
  const items = ITEM_LAYOUTS[layout.sheet];
  if (!items)
    return {
      header: [],
      records: rows.map((r) => ({
        layout,
        code: codeOf(r.record),
        body: withoutEmptyNames(r.record),
        rows: [r.row],
        problems: r.problems,
      })),
    };
  const groups = new Map<string, ParsedRow[]>();
  for (const r of rows) {
    const code = codeOf(r.record);
    groups.set(code, [...(groups.get(code) ?? []), r]);
  }
  const records = [...groups].map(([code, group]): SheetRecord => {
    const first = group[0] as ParsedRow;
    const problems = group.flatMap((r) => r.problems);
    for (const r of group.slice(1))
      if (r.record['effectiveFrom'] !== first.record['effectiveFrom'])
        problems.push({
          sheet: layout.sheet,
          row: r.row,
          column: 'effectiveFrom',
          message: `differs from row ${first.row}: the rows of product ${code} take effect together`,
        });
    const overlap = group.some((r) => r.record['overlap'] === true);
    const { names: _names, overlap: _overlap, ...record } = first.record;
    const body = {
      ...record,
      ...(overlap ? { overlap } : {}),
      [items]: group.map((r) => withoutEmptyNames(itemOf(layout, r.item))),
    };
    return { layout, code, body, rows: group.map((r) => r.row), problems };
  });
  return { header: [], records };
};

const codeOf = (record: Record<string, unknown>): string => (typeof record['code'] === 'string' ? record['code'] : '');

const withoutEmptyNames = (value: Record<string, unknown>): Record<string, unknown> => {
  const { names, ...rest } = value;
  return names && Object.keys(names).length > 0 ? { ...rest, names } : rest;
};

/** The cell a problem of a record's body points at (`/operations/2/workCenter`: the workCenter of its third row). */
export const cellOf = (record: SheetRecord, problem: FieldProblem): RowProblem => {
  const { layout } = record;
  const segments = problem.path.split('/').slice(1);
  const inItem = ITEM_LAYOUTS[layout.sheet] === segments[0] && segments[1] !== undefined;
  const row = (inItem ? record.rows[Number(segments[1])] : undefined) ?? record.rows[0] ?? 1;
  const rest = inItem ? segments.slice(2) : segments;
  const field = rest[0] === 'names' ? `names.${rest[1] ?? 'zh-CN'}` : (rest[0] ?? 'code');
  const column = layout.columns.find((c) => c.field === field && isItem(layout, c) === inItem) ?? layout.columns[0];
  const message =
    rest[0] === 'names' && rest[1] === undefined
      ? 'needs a name: fill name_zh-CN or name_en'
      : problem.message.replace(/^must have required property '.*'$/, 'is empty');
  return { sheet: layout.sheet, row, column: column?.header ?? '', message };
};
