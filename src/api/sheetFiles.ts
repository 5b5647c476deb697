import type ExcelJS from 'exceljs';

// exceljs is a quarter of a second to load: only a workbook upload or download pays for it, not every start
const excel = async (): Promise<typeof ExcelJS> => (await import('exceljs')).default;
import type { ExportSheet } from '../app/masterData/sheetExport';
import { writeCell } from '../app/masterData/sheetLayouts';
import type { SheetTable } from '../app/masterData/sheetRecords';
import { ValidationError } from '../domain/errors';
import { CsvSyntaxError, formatCsv, parseCsv } from '../lib/csv';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_MIME = 'text/csv';

/** More rows than a master-data sheet has: a file past it is refused before anything is checked. */
const MAX_ROWS = 20_000;
const MAX_COLUMNS = 50;

const bad = (message: string, detail: string): never => {
  throw new ValidationError(message, [{ path: '/body', message: detail }], { rule: 'sheet-file-invalid' });
};

const decode = (bytes: Buffer, contentType: string): string => {
  const charset = /charset=["']?([\w-]+)/i.exec(contentType)?.[1]?.toLowerCase() ?? 'utf-8';
  // a spreadsheet on a Chinese Windows saves "CSV" as GBK unless told "CSV UTF-8"
  const known = ['utf-8', 'utf8', 'gbk', 'gb18030', 'gb2312'];
  if (!known.includes(charset)) bad(`charset ${charset} is not supported`, 'send UTF-8 (or GBK, GB18030)');
  try {
    return new TextDecoder(charset, { fatal: true }).decode(bytes);
  } catch {
    return bad(`the CSV file is not ${charset} text`, `save it as "CSV UTF-8" or name its charset in Content-Type`);
  }
};

const readCsv = (bytes: Buffer, contentType: string): SheetTable[] => {
  try {
    const rows = parseCsv(decode(bytes, contentType));
    return [{ name: 'csv', rows }];
  } catch (error) {
    if (error instanceof CsvSyntaxError) return bad(`the CSV file is malformed at row ${error.record}`, error.message);
    throw error;
  }
};

/** A cell as text: numbers as written, dates as ISO 8601, a formula's result, a link's text. */
const text = (value: ExcelJS.CellValue): string => {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object') return String(value);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('formula' in value || 'sharedFormula' in value) return text((value as { result?: ExcelJS.CellValue }).result);
  if ('text' in value) return typeof value.text === 'string' ? value.text : text(value.text);
  if ('error' in value) return String(value.error);
  return '';
};

const readXlsx = async (bytes: Buffer): Promise<SheetTable[]> => {
  // an XLSX file is a zip archive: anything else is not one, whatever its Content-Type says
  if (bytes.subarray(0, 4).toString('binary') !== 'PK\u0003\u0004')
    bad('the body is not an XLSX workbook', 'an XLSX file is a zip archive; this is not one');
  const workbook = new (await excel()).Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  } catch (error) {
    bad('the XLSX workbook cannot be read', error instanceof Error ? error.message.slice(0, 200) : 'unreadable');
  }
  return workbook.worksheets.map((sheet) => {
    if (sheet.rowCount > MAX_ROWS || sheet.columnCount > MAX_COLUMNS)
      bad(`sheet ${sheet.name} is too large`, `at most ${MAX_ROWS} rows and ${MAX_COLUMNS} columns`);
    const rows: string[][] = [];
    for (let r = 1; r <= sheet.rowCount; r++) {
      const row = sheet.getRow(r);
      const cells: string[] = [];
      for (let c = 1; c <= sheet.columnCount; c++) cells.push(text(row.getCell(c).value));
      rows.push(cells);
    }
    return { name: sheet.name, rows };
  });
};

/** The sheets of an uploaded file: a CSV file (UTF-8 with or without BOM) is one sheet, a workbook its worksheets. */
export const readSheetFile = async (body: unknown, contentType: string): Promise<SheetTable[]> => {
  if (!Buffer.isBuffer(body) || body.length === 0) return bad('the body is empty', 'send the file as the body');
  if (contentType.toLowerCase().startsWith(XLSX_MIME)) return readXlsx(body);
  const tables = readCsv(body, contentType);
  if ((tables[0]?.rows.length ?? 0) > MAX_ROWS) bad('the CSV file is too large', `at most ${MAX_ROWS} rows`);
  return tables;
};

/** A sheet as CSV: its header row, then its rows. */
export const writeCsv = (sheet: ExportSheet): string =>
  formatCsv([
    sheet.layout.columns.map((c) => c.header),
    ...sheet.rows.map((row) => row.map((v) => String(writeCell(v, true)))),
  ]);

/** A workbook with a worksheet per sheet: a bold frozen header (its Chinese name as the cell's note), then the rows. */
export const writeXlsx = async (sheets: readonly ExportSheet[]): Promise<Buffer> => {
  const workbook = new (await excel()).Workbook();
  for (const { layout, rows } of sheets) {
    const sheet = workbook.addWorksheet(layout.sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = layout.columns.map((c) => ({
      header: c.header,
      key: c.header,
      width: Math.max(12, c.header.length + 4),
    }));
    const header = sheet.getRow(1);
    header.font = { bold: true };
    layout.columns.forEach((c, i) => (header.getCell(i + 1).note = c.zh));
    for (const row of rows) sheet.addRow(row.map((v) => writeCell(v, false)));
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
};
