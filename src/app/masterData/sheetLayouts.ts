/** How a cell is read: free text, a code, a number, yes/no, or a list of codes. */
export type CellType = 'text' | 'code' | 'number' | 'boolean' | 'list';

/** A column of a sheet: its header (and a Chinese header also accepted), the record field it fills. */
export type Column = {
  header: string;
  zh: string;
  type: CellType;
  /** The field of the record (or of the operation or BOM line) it fills; a name column fills `names`. */
  field: string;
  required?: boolean;
  /** Shown on export, ignored on import (a built-in reason code's source). */
  exportOnly?: boolean;
};

export type SheetLayout = { sheet: string; zh: string; columns: readonly Column[] };

/** What the import and export routes name: `/api/master/{kind}/import`. */
export const SHEET_KINDS = ['products', 'materials', 'routings', 'boms', 'reason-codes', 'employees'] as const;
export type SheetKind = (typeof SHEET_KINDS)[number];

const names: Column[] = [
  { header: 'name_zh-CN', zh: '中文名称', type: 'text', field: 'names.zh-CN' },
  { header: 'name_en', zh: '英文名称', type: 'text', field: 'names.en' },
];
const effective: Column = { header: 'effectiveFrom', zh: '生效时间', type: 'text', field: 'effectiveFrom' };

export const PRODUCTS: SheetLayout = {
  sheet: 'products',
  zh: '产品',
  columns: [
    { header: 'code', zh: '产品编码', type: 'code', field: 'code', required: true },
    ...names,
    { header: 'unit', zh: '单位', type: 'text', field: 'unit', required: true },
    { header: 'family', zh: '产品族', type: 'code', field: 'family' },
    { header: 'documentUrl', zh: '图纸链接', type: 'text', field: 'documentUrl' },
    effective,
  ],
};
export const MATERIALS: SheetLayout = {
  sheet: 'materials',
  zh: '物料',
  columns: [
    { header: 'code', zh: '物料编码', type: 'code', field: 'code', required: true },
    ...names,
    { header: 'unit', zh: '单位', type: 'text', field: 'unit', required: true },
    effective,
  ],
};
/** One row per operation, in routing order; the rows of a product make its routing. */
export const ROUTING: SheetLayout = {
  sheet: 'routing',
  zh: '工艺路线',
  columns: [
    { header: 'product', zh: '产品编码', type: 'code', field: 'code', required: true },
    { header: 'operationId', zh: '工序号', type: 'code', field: 'operationId', required: true },
    { header: 'operationCode', zh: '工序代码', type: 'code', field: 'code', required: true },
    ...names,
    { header: 'workCenter', zh: '工作中心', type: 'code', field: 'workCenter', required: true },
    { header: 'alternativeWorkCenters', zh: '备选工作中心', type: 'list', field: 'alternativeWorkCenters' },
    {
      header: 'standardMinutesPerUnit',
      zh: '单件工时(分)',
      type: 'number',
      field: 'standardMinutesPerUnit',
      required: true,
    },
    { header: 'setupMinutes', zh: '准备工时(分)', type: 'number', field: 'setupMinutes', required: true },
    { header: 'inspectionRequired', zh: '需检验', type: 'boolean', field: 'inspectionRequired' },
    { header: 'instructions', zh: '作业指导', type: 'text', field: 'instructions' },
    { header: 'instructionsUrl', zh: '作业指导链接', type: 'text', field: 'instructionsUrl' },
    { header: 'overlap', zh: '工序重叠', type: 'boolean', field: 'overlap' },
    effective,
  ],
};
/** One row per material of an operation; the rows of a product make its bill of materials. */
export const BOM: SheetLayout = {
  sheet: 'bom',
  zh: '物料清单',
  columns: [
    { header: 'product', zh: '产品编码', type: 'code', field: 'code', required: true },
    { header: 'operationId', zh: '工序号', type: 'code', field: 'operationId', required: true },
    { header: 'material', zh: '物料编码', type: 'code', field: 'material', required: true },
    { header: 'quantityPerUnit', zh: '单件用量', type: 'number', field: 'quantityPerUnit', required: true },
    { header: 'unit', zh: '单位', type: 'text', field: 'unit', required: true },
    { header: 'scrapAllowance', zh: '损耗率', type: 'number', field: 'scrapAllowance' },
    effective,
  ],
};
export const REASON_CODES: SheetLayout = {
  sheet: 'reason-codes',
  zh: '原因代码',
  columns: [
    { header: 'kind', zh: '类别', type: 'code', field: 'kind', required: true },
    { header: 'code', zh: '代码', type: 'code', field: 'code', required: true },
    ...names,
    effective,
    { header: 'source', zh: '来源', type: 'code', field: 'source', exportOnly: true },
  ],
};
export const EMPLOYEES: SheetLayout = {
  sheet: 'employees',
  zh: '员工',
  columns: [
    { header: 'code', zh: '工号', type: 'code', field: 'code', required: true },
    ...names,
    { header: 'badgeId', zh: '工牌号', type: 'code', field: 'badgeId' },
    { header: 'workCenters', zh: '工作中心', type: 'list', field: 'workCenters' },
    { header: 'skills', zh: '技能', type: 'list', field: 'skills' },
    effective,
  ],
};

/** The sheets of each kind: a routing workbook holds its BOM as a second sheet (a CSV file is one sheet). */
export const SHEET_LAYOUTS: Record<SheetKind, readonly SheetLayout[]> = {
  products: [PRODUCTS],
  materials: [MATERIALS],
  routings: [ROUTING, BOM],
  boms: [BOM],
  'reason-codes': [REASON_CODES],
  employees: [EMPLOYEES],
};

const normal = (text: string): string => text.trim().toLowerCase();

/** The column a header names (its English header or its Chinese one, any case); undefined when none. */
export const columnOf = (layout: SheetLayout, header: string): Column | undefined =>
  layout.columns.find((c) => normal(c.header) === normal(header) || c.zh === header.trim());

/** Whether a sheet's name is the layout's (its name or its Chinese name). */
export const isSheet = (layout: SheetLayout, name: string): boolean =>
  normal(name) === layout.sheet || name.trim() === layout.zh;

const TRUE = new Set(['true', 'yes', 'y', '1', 'x', '是', '√']);
const FALSE = new Set(['false', 'no', 'n', '0', '否', '']);

/** A cell's value for its column, or a message saying what is wrong with it. Empty cells are undefined. */
export const readCell = (column: Column, raw: string): { value?: unknown; problem?: string } => {
  // an export writes text that a spreadsheet would take for a formula behind an apostrophe
  const text = column.type === 'text' && /^'[=+\-@]/.test(raw) ? raw.slice(1) : raw.trim();
  if (column.type === 'boolean') {
    const key = normal(text);
    if (TRUE.has(key)) return { value: true };
    if (FALSE.has(key)) return { value: column.required ? false : undefined };
    return { problem: `"${text}" is not yes or no (true/false, 是/否)` };
  }
  if (text === '') return {};
  if (column.type === 'number') {
    const value = Number(text);
    return Number.isFinite(value) ? { value } : { problem: `"${text}" is not a number` };
  }
  if (column.type === 'list') return { value: text.split(/[;；,，、\s]+/).filter((s) => s !== '') };
  return { value: text };
};

/**
 * A value as a cell shows it: lists joined by `;`, yes/no as true/false. For CSV, text a spreadsheet
 * would take for a formula goes behind an apostrophe, which an import drops again.
 */
export const writeCell = (value: unknown, csv: boolean): string | number | boolean => {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.join(';');
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return csv && /^[=+\-@]/.test(text) ? `'${text}` : text;
};
