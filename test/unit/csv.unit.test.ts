import { expect } from 'chai';
import { CsvSyntaxError, formatCsv, parseCsv } from '../../src/lib/csv';

describe('CSV (RFC 4180)', () => {
  it('reads quoted commas, doubled quotes, line breaks in a cell, CRLF or LF, with or without a BOM', () => {
    const text = '\uFEFFcode,name\r\nA,"电机, 7.5kW"\nB,"say ""hi"""\r\n\r\nC,"two\r\nlines"\n';
    expect(parseCsv(text)).to.deep.equal([
      ['code', 'name'],
      ['A', '电机, 7.5kW'],
      ['B', 'say "hi"'],
      [''],
      ['C', 'two\r\nlines'],
    ]);
    expect(parseCsv('a,b')).to.deep.equal([['a', 'b']]);
  });

  it('writes what it reads back, Chinese included', () => {
    const rows = [
      ['code', 'name_zh-CN', 'note'],
      ['EC-132', '电机端盖', 'a "quoted", multi\nline note'],
    ];
    const text = formatCsv(rows);
    expect(text.startsWith('\uFEFFcode,name_zh-CN,note\r\n')).to.equal(true);
    expect(parseCsv(text)).to.deep.equal(rows);
  });

  it('names the record where a file stops being CSV', () => {
    expect(() => parseCsv('a,b\n"x,y'))
      .to.throw(CsvSyntaxError)
      .with.property('record', 2);
    expect(() => parseCsv('a,b\nx"y,z')).to.throw(CsvSyntaxError, 'a quote inside an unquoted field');
    expect(() => parseCsv('"a"b,c')).to.throw(CsvSyntaxError, 'a closing quote must end its field');
  });
});
