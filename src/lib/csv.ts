/** A CSV text that does not follow RFC 4180, with the (1-based) record where it stopped. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly record: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * Parses RFC 4180 CSV: comma-separated, fields optionally in double quotes (a doubled quote inside
 * is one quote; a quoted field may hold commas and line breaks), records ended by CRLF or LF. A
 * leading byte order mark is dropped. Records come back as written, blank ones included, so a
 * record's index plus one is the row number a spreadsheet shows.
 */
export const parseCsv = (input: string): string[][] => {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    record.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else {
        quoted = false;
        const next = text[i + 1];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r')
          throw new CsvSyntaxError('a closing quote must end its field', records.length + 1);
      }
    } else if (c === '"') {
      if (field !== '') throw new CsvSyntaxError('a quote inside an unquoted field', records.length + 1);
      quoted = true;
    } else if (c === ',') endField();
    else if (c === '\n') endRecord();
    else if (c === '\r') {
      if (text[i + 1] === '\n') i++;
      endRecord();
    } else field += c;
    i++;
  }
  if (quoted) throw new CsvSyntaxError('a quoted field is not closed', records.length + 1);
  if (field !== '' || record.length > 0) endRecord();
  return records;
};

const cell = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** RFC 4180 CSV with CRLF line ends and a byte order mark, so a spreadsheet reads its Chinese as UTF-8. */
export const formatCsv = (records: readonly (readonly string[])[]): string =>
  `\uFEFF${records.map((r) => `${r.map(cell).join(',')}\r\n`).join('')}`;
