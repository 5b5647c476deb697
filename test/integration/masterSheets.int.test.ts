import { readPages } from '../../src/app/eventStore';
import { isSecurityStream } from '../../src/domain/security';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type { Role } from '../../src/api/auth';
import { MOTOR, MOTOR_NAMES, seedMotorPlant, startMasterPlant, type MasterPlant } from '../support/masterPlant';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

type Answer = {
  status: number;
  type: string;
  body: {
    rows?: Array<{ sheet: string; row: number; column: string; message: string }>;
    written?: Array<{ code: string; rows: number[]; events: string[] }>;
    unchanged?: Array<{ code: string }>;
    refused?: Array<{ row: number; column: string }>;
    detail?: string;
  };
  bytes: Buffer;
};

const workbook = async (sheets: Record<string, (string | number | boolean)[][]>): Promise<Buffer> => {
  const book = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) book.addWorksheet(name).addRows(rows);
  return Buffer.from(await book.xlsx.writeBuffer());
};

const readWorkbook = async (bytes: Buffer): Promise<Record<string, unknown[][]>> => {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  return Object.fromEntries(
    book.worksheets.map((s) => [s.name, (s.getSheetValues() as unknown[][]).filter(Boolean).map((r) => r.slice(1))]),
  );
};

describe('master data in spreadsheets: CSV and XLSX import and export, as a planner uses them', function () {
  this.timeout(60_000);
  let plant: MasterPlant;
  before(async () => {
    plant = await startMasterPlant('2026-11-25T00:00:00Z');
    await seedMotorPlant(plant);
  });
  after(async () => plant.stop());

  const send = async (
    path: string,
    body: string | Buffer,
    type: string,
    as: Role | 'all' = 'planner',
  ): Promise<Answer> => {
    const response = await fetch(`${plant.baseUrl}${path}`, {
      method: path.includes('/export') ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${plant.tokens[as]}`, 'content-type': type },
      ...(path.includes('/export') ? {} : { body }),
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    let parsed: Answer['body'] = {};
    try {
      parsed = JSON.parse(bytes.toString('utf8')) as Answer['body'];
    } catch {
      // a file
    }
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: parsed, bytes };
  };
  // the business log's newest event: the security trail records the refused role on purpose
  const head = async () => {
    let last: string | undefined;
    for await (const page of readPages(plant.backbone.store))
      for (const event of page.events) if (!isSecurityStream(event.streamId)) last = event.position;
    return last;
  };

  const productsCsv = [
    'code,name_zh-CN,name_en,unit,family',
    'EC-132,电机端盖,"End cover, drive side",件,YE3-132',
    'RS-132,转子轴,Rotor shaft,,YE3-132',
    'FAN-132,风扇叶,Cooling fan,件,',
  ].join('\r\n');

  it('answers a CSV with one bad row row by row and writes nothing; partial=true writes the good rows', async () => {
    const before = await head();
    const refused = await send('/api/master/products/import', `\uFEFF${productsCsv}`, 'text/csv');
    expect(refused.status).to.equal(400);
    expect(refused.type).to.include('application/problem+json');
    expect(refused.body.rows).to.deep.equal([{ sheet: 'products', row: 3, column: 'unit', message: 'is empty' }]);
    expect(await head()).to.equal(before);

    const partial = await send('/api/master/products/import?partial=true', productsCsv, 'text/csv');
    expect(partial.status).to.equal(200);
    expect(partial.body.written?.map((w) => [w.code, w.rows, w.events])).to.deep.equal([
      ['EC-132', [2], ['ProductDefined']],
      ['FAN-132', [4], ['ProductDefined']],
    ]);
    expect(partial.body.refused?.map((r) => [r.row, r.column])).to.deep.equal([[3, 'unit']]);
    const cover = await plant.api.get('/api/master/products/EC-132', 'operator', { 'accept-language': 'en' });
    expect(cover.body).to.deep.include({ name: 'End cover, drive side' });

    const again = await send('/api/master/products/import?partial=true', productsCsv, 'text/csv');
    expect(again.body.written).to.deep.equal([]);
    expect(again.body.unchanged?.map((u) => u.code)).to.deep.equal(['EC-132', 'FAN-132']);
    const position = await head();
    await send('/api/master/products/import?partial=true', productsCsv, 'text/csv');
    expect(await head(), 're-import appended events').to.equal(position);
  });

  it('answers a routing workbook with one bad row by sheet, row and column, then imports its good products', async () => {
    const routing = [
      [
        'product',
        'operationId',
        'operationCode',
        'name_zh-CN',
        'name_en',
        'workCenter',
        'standardMinutesPerUnit',
        'setupMinutes',
        'inspectionRequired',
      ],
      ['EC-132', '010', 'TURN', '车削', 'Turning', 'WC-ASSY', 3, 15, '否'],
      ['EC-132', '020', 'DRILL', '钻孔', 'Drilling', 'WC-WIND', 1.5, 5, '是'],
      ['FAN-132', '010', 'MOULD', '注塑', 'Moulding', 'WC-PRESS', 0.5, 30, 'no'],
    ];
    const bom = [
      ['product', 'operationId', 'material', 'quantityPerUnit', 'unit', 'scrapAllowance'],
      ['EC-132', '010', 'CU-WIRE-1.2', 0.1, 'kg', 0.05],
      ['FAN-132', '010', 'CU-WIRE-1.2', 0.2, 'kg', ''],
    ];
    const file = await workbook({ 工艺路线: routing, bom });
    const before = await head();
    const refused = await send('/api/master/routings/import', file, XLSX);
    expect(refused.status).to.equal(400);
    // FAN-132's BOM line names operation 010 of the routing refused beside it
    expect(refused.body.rows).to.deep.equal([
      {
        sheet: 'bom',
        row: 3,
        column: 'operationId',
        message: 'operation 010 is not in the routing of product FAN-132 in force at 2026-11-25T00:00:00.000Z',
      },
      {
        sheet: 'routing',
        row: 4,
        column: 'workCenter',
        message: 'work center WC-PRESS is not defined in master data',
      },
    ]);
    expect(await head()).to.equal(before);

    const partial = await send('/api/master/routings/import?partial=true', file, XLSX);
    expect(partial.status).to.equal(200);
    expect(partial.body.written?.map((w) => [w.code, w.events])).to.deep.equal([
      ['EC-132', ['RoutingDefined']],
      ['EC-132', ['BomDefined']],
    ]);
    expect(partial.body.refused?.map((r) => [r.row, r.column])).to.deep.equal([
      [3, 'operationId'],
      [4, 'workCenter'],
    ]);
    const steps = await plant.api.get('/api/master/routings/EC-132', 'operator');
    expect((steps.body as { record: { operations: unknown[] } }).record.operations).to.deep.equal([
      {
        operationId: '010',
        code: 'TURN',
        names: { 'zh-CN': '车削', en: 'Turning' },
        workCenter: 'WC-ASSY',
        standardMinutesPerUnit: 3,
        setupMinutes: 15,
        inspectionRequired: false,
      },
      {
        operationId: '020',
        code: 'DRILL',
        names: { 'zh-CN': '钻孔', en: 'Drilling' },
        workCenter: 'WC-WIND',
        standardMinutesPerUnit: 1.5,
        setupMinutes: 5,
        inspectionRequired: true,
      },
    ]);
    const position = await head();
    await send('/api/master/routings/import?partial=true', file, XLSX);
    expect(await head(), 're-import appended events').to.equal(position);
  });

  it('exports CSV and XLSX with Chinese and English names that import again writing nothing', async () => {
    await plant.backbone.readModels.idle();
    const csv = await send('/api/master/products/export?format=csv', '', '');
    expect(csv.status).to.equal(200);
    const text = csv.bytes.toString('utf8');
    expect(text.startsWith('\uFEFFcode,name_zh-CN,name_en,unit,family,documentUrl,effectiveFrom\r\n')).to.equal(true);
    expect(text).to.include(`${MOTOR},${MOTOR_NAMES['zh-CN']},${MOTOR_NAMES.en},台,YE3-132`);
    expect(text).to.include('EC-132,电机端盖,"End cover, drive side",件,YE3-132');

    const xlsx = await send('/api/master/routings/export?format=xlsx', '', '');
    expect(xlsx.type).to.include(XLSX);
    const sheets = await readWorkbook(xlsx.bytes);
    expect(Object.keys(sheets)).to.deep.equal(['routing', 'bom']);
    expect(sheets['routing']?.slice(1).map((r) => [r[0], r[1], r[3]])).to.deep.equal([
      ['EC-132', '010', '车削'],
      ['EC-132', '020', '钻孔'],
      [MOTOR, '010', '绕线'],
      [MOTOR, '020', '总装'],
    ]);

    const position = await head();
    const products = await send('/api/master/products/import', csv.bytes, 'text/csv; charset=utf-8');
    expect(products.body.written).to.deep.equal([]);
    const routings = await send('/api/master/routings/import', xlsx.bytes, XLSX);
    expect(routings.status).to.equal(200);
    expect(routings.body.written).to.deep.equal([]);
    const reasons = await send('/api/master/reason-codes/export?format=xlsx', '', '');
    expect((await send('/api/master/reason-codes/import', reasons.bytes, XLSX, 'all')).body.written).to.deep.equal([]);
    expect(await head(), 'a round trip appended events').to.equal(position);

    const renamed = text.replace('电机端盖', '电机前端盖');
    const revised = await send('/api/master/products/import', Buffer.from(renamed, 'utf8'), 'text/csv');
    expect(revised.body.written?.map((w) => [w.code, w.events])).to.deep.equal([['EC-132', ['ProductRevised']]]);
    expect((await plant.api.get('/api/master/products/EC-132', 'operator')).body).to.deep.include({
      name: '电机前端盖',
    });
  });

  it('refuses a file that is not what it says with a clear 4xx, never a 500', async () => {
    const before = await head();
    const notXlsx = await send('/api/master/products/import', Buffer.from(productsCsv), XLSX);
    expect([notXlsx.status, notXlsx.body.detail]).to.deep.equal([400, 'the body is not an XLSX workbook']);
    const broken = await send('/api/master/products/import', Buffer.from('PK\u0003\u0004garbage'), XLSX);
    expect(broken.status).to.equal(400);
    const plain = await send('/api/master/products/import', productsCsv, 'text/plain');
    expect(plain.status).to.equal(415);
    const headers = await send('/api/master/products/import', 'code,名字,unit\r\nX,电机,台', 'text/csv');
    expect(headers.status).to.equal(400);
    expect(headers.body.rows?.map((r) => [r.row, r.column])).to.deep.equal([[1, '名字']]);
    const quote = await send('/api/master/products/import', 'code,unit\r\n"X,台', 'text/csv');
    expect([quote.status, quote.body.detail]).to.deep.equal([400, 'the CSV file is malformed at row 2']);
    const latin = await send('/api/master/products/import', Buffer.from([0x63, 0x6f, 0xff, 0x0a]), 'text/csv');
    expect(latin.status).to.equal(400);
    const gbk = await send(
      '/api/master/products/import',
      Buffer.from([0x63, 0x6f, 0xff, 0x0a]),
      'text/csv; charset=koi8',
    );
    expect(gbk.status).to.equal(400);
    const operator = await send('/api/master/products/import', productsCsv, 'text/csv', 'operator');
    expect(operator.status).to.equal(403);
    expect(await head()).to.equal(before);
  });

  it('imports reason codes of the kinds the caller keeps, in Chinese headers too', async () => {
    const csv = ['类别,代码,中文名称,英文名称', 'downtime,mould-change,换模,Mould change', 'scrap,burr,毛刺,Burr'].join(
      '\n',
    );
    const maintenance = await send('/api/master/reason-codes/import', csv, 'text/csv', 'maintenance');
    expect(maintenance.body.rows?.map((r) => [r.row, r.column, r.message])).to.deep.equal([
      [3, 'kind', 'your roles may not write scrap reason codes'],
    ]);
    // one holding the maintenance and quality roles writes every kind
    const both = await send('/api/master/reason-codes/import', csv, 'text/csv', 'all');
    expect(both.body.written?.map((w) => w.code)).to.deep.equal(['mould-change', 'burr']);
  });
});
