import { REASON_KINDS, type MasterKind, type ReasonCodeView } from '../../domain/masterData';
import { SHEET_LAYOUTS, type Column, type SheetKind, type SheetLayout } from './sheetLayouts';
import { isItem } from './sheetRecords';

/** A record in force as an export reads it. */
export type ExportRecord = { code: string; record: Record<string, unknown> };

/** Where an export reads what is in force and active (the read model). */
export type ExportSource = {
  records(kind: MasterKind): Promise<ExportRecord[]>;
  reasons(): Promise<ReasonCodeView[]>;
};

/** A sheet to write: its layout and its rows of values, in the layout's column order, without the header. */
export type ExportSheet = { layout: SheetLayout; rows: unknown[][] };

const valueOf = (
  layout: SheetLayout,
  column: Column,
  code: string,
  record: Record<string, unknown>,
  item: Record<string, unknown>,
) => {
  const from = isItem(layout, column) ? item : record;
  if (column.field === 'code' && from === record) return code;
  // blank: an import of the file then takes effect when imported, never back-dated to the old version
  if (column.field === 'effectiveFrom') return undefined;
  if (column.field.startsWith('names.'))
    return (from['names'] as Record<string, string> | undefined)?.[column.field.slice('names.'.length)];
  return from[column.field];
};

const rowsOf = (layout: SheetLayout, records: readonly ExportRecord[], items?: string): unknown[][] =>
  records.flatMap(({ code, record }) => {
    const list = items ? ((record[items] as Record<string, unknown>[] | undefined) ?? []) : [{}];
    return list.map((item) => layout.columns.map((c) => valueOf(layout, c, code, record, item)));
  });

const ITEMS: Record<string, string> = { routing: 'operations', bom: 'lines' };
const KINDS: Record<string, MasterKind> = {
  products: 'product',
  materials: 'material',
  routing: 'routing',
  bom: 'bom',
  employees: 'employee',
};

/** The sheets of a kind with every active record in force now, in the layouts an import reads. */
export const exportSheets = async (kind: SheetKind, source: ExportSource): Promise<ExportSheet[]> =>
  Promise.all(
    SHEET_LAYOUTS[kind].map(async (layout): Promise<ExportSheet> => {
      if (layout.sheet === 'reason-codes') {
        const order = (k: string) => REASON_KINDS.indexOf(k as (typeof REASON_KINDS)[number]);
        const views = (await source.reasons())
          .filter((v) => v.active)
          .sort((a, b) => order(a.kind) - order(b.kind) || a.code.localeCompare(b.code));
        return {
          layout,
          rows: views.map((v) =>
            layout.columns.map((c) =>
              c.field === 'effectiveFrom'
                ? undefined
                : c.field.startsWith('names.')
                  ? v.names[c.field.slice('names.'.length) as 'zh-CN' | 'en']
                  : (v as Record<string, unknown>)[c.field],
            ),
          ),
        };
      }
      const records = await source.records(KINDS[layout.sheet] as MasterKind);
      return { layout, rows: rowsOf(layout, records, ITEMS[layout.sheet]) };
    }),
  );
