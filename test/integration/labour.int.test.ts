import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { queryRoutes } from '../../src/api/queryRoutes';
import type { RouteContext } from '../../src/api/routes';
import type { CommandHandler } from '../../src/app/commandHandler';
import { parseCsv } from '../../src/lib/csv';
import type { ReadModelQueries } from '../../src/projections/queries';
import { projectLog, type LoggedEvent } from '../support/eventLog';
import { TEST_PLANT } from '../support/readStoreDump';

const t = (hhmm: string) => `2026-11-25T${hhmm}:00+08:00`;
const clockIn = (operatorId: string, orderId: string, at: string): LoggedEvent => ({
  stream: `operator-${operatorId}`,
  type: 'OperatorClockedIn',
  data: { operatorId, orderId, operationId: '010', at: t(at) },
  at: t(at),
});
const clockOut = (operatorId: string, orderId: string, from: string, to: string): LoggedEvent => ({
  stream: `operator-${operatorId}`,
  type: 'OperatorClockedOut',
  data: {
    operatorId,
    orderId,
    operationId: '010',
    startedAt: t(from),
    endedAt: t(to),
    minutes: (Date.parse(t(to)) - Date.parse(t(from))) / 60_000,
  },
  at: t(to),
});
const report = (orderId: string, at: string, good: number, scrap = 0): LoggedEvent => ({
  stream: `order-${orderId}`,
  type: 'OperationQuantityReported',
  data: {
    orderId,
    operationId: '010',
    workCenter: 'WC-1',
    good,
    scrap,
    rework: 0,
    ...(scrap ? { scrapReason: 'BURR' } : {}),
    reportedAt: t(at),
  },
  at: t(at),
});

/**
 * Worked example on 2026-11-25, shift A 08:00-16:00 (Asia/Shanghai); asked at 20:00 local.
 *   op-1 tends PO-1 and PO-2 08:00-16:00: 8 h in all, 4 h on each (not 16 h).
 *   op-2 clocks onto PO-2 at 09:00 and never out: the clocking ends at the shift end, 16:00: 7 h.
 *   op-3 clocks onto PO-3 at 07:30 (an early start of shift A) and out at 17:00: 9.5 h, of which
 *        07:30-08:00 and 16:00-17:00 are outside the shift: 1.5 h overtime.
 *   op-4 is on PO-1 08:00-12:00 and PO-3 10:00-14:00: 08-10 PO-1 alone (2 h), 10-12 both (1 h each),
 *        12-14 PO-3 alone (2 h): 3 h on each, 6 h in all.
 *   Pieces: PO-1 reports 40 good, 2 scrap at 13:00 (op-1 alone on it then): op-1 40 and 2.
 *           PO-2 reports 30 good at 10:00 (op-1 and op-2 on it): 15 each.
 */
const EVENTS: LoggedEvent[] = [
  clockIn('op-1', 'PO-1', '08:00'),
  clockIn('op-1', 'PO-2', '08:00'),
  clockIn('op-4', 'PO-1', '08:00'),
  clockIn('op-3', 'PO-3', '07:30'),
  clockIn('op-2', 'PO-2', '09:00'),
  report('PO-2', '10:00', 30),
  clockIn('op-4', 'PO-3', '10:00'),
  clockOut('op-4', 'PO-1', '08:00', '12:00'),
  report('PO-1', '13:00', 40, 2),
  clockOut('op-4', 'PO-3', '10:00', '14:00'),
  clockOut('op-1', 'PO-1', '08:00', '16:00'),
  clockOut('op-1', 'PO-2', '08:00', '16:00'),
  clockOut('op-3', 'PO-3', '07:30', '17:00'),
];

const HEADER = ['operatorId', 'day', 'orderId', 'operationId', 'hours', 'overtimeHours', 'good', 'scrap'];
const ROWS = [
  ['op-1', '2026-11-25', 'PO-1', '010', 4, 0, 40, 2],
  ['op-1', '2026-11-25', 'PO-2', '010', 4, 0, 15, 0],
  ['op-2', '2026-11-25', 'PO-2', '010', 7, 0, 15, 0],
  ['op-3', '2026-11-25', 'PO-3', '010', 9.5, 1.5, 0, 0],
  ['op-4', '2026-11-25', 'PO-1', '010', 3, 0, 0, 0],
  ['op-4', '2026-11-25', 'PO-3', '010', 3, 0, 0, 0],
];

/** Calls the /api/labour route's handler with a response that keeps what is sent. */
const download = async (q: ReadModelQueries, format: string) => {
  const route = queryRoutes({ queries: q, commands: {} as CommandHandler, cardKey: Buffer.alloc(32) }).find(
    (r) => r.path === '/api/labour',
  );
  const sent: { type?: string; body?: unknown } = {};
  const res = {
    status: () => res,
    type: (type: string) => ((sent.type = type), res),
    set: () => res,
    send: (body: unknown) => ((sent.body = body), res),
  };
  const result = await route?.handle({ query: { format }, res } as unknown as RouteContext);
  return { ...sent, result };
};

describe('labour: shared time, shift ends, overtime and the payroll export', function () {
  this.timeout(30_000);
  let q: ReadModelQueries;
  let close: () => Promise<void>;
  before(async () => ({ q, close } = await projectLog(TEST_PLANT, EVENTS, new Date('2026-11-25T12:00:00Z'))));
  after(() => close());

  it('an operator on two machines for 8 h has 8 h in all, 4 h on each', async () => {
    const [op1] = await q.labour.operatorDays({ operatorId: 'op-1' });
    expect(op1).to.deep.equal({
      operatorId: 'op-1',
      day: '2026-11-25',
      hours: 8,
      overtimeHours: 0,
      good: 55,
      scrap: 2,
      operations: 2,
    });
    expect((await q.labour.operatorDays({ operatorId: 'op-4' }))[0]?.hours).to.equal(6);
    expect(await q.labour.order('PO-1')).to.deep.equal({
      orderId: 'PO-1',
      hours: 7,
      byOperator: { 'op-1': 4, 'op-4': 3 },
    });
  });

  it('closes an open clocking at the end of the operator’s shift', async () => {
    const [open] = await q.labour.clockings({ operatorId: 'op-2' });
    expect(open).to.deep.include({ endedAt: null, shift: 'A', hours: 7, closedAtShiftEnd: true });
    expect(open?.until).to.equal('2026-11-25T08:00:00.000Z'); // 16:00 local
  });

  it('exports per operator, day and operation: hours, overtime, good and scrap, as CSV', async () => {
    const { type, body } = await download(q, 'csv');
    expect(type).to.match(/^text\/csv/);
    expect(parseCsv(body as string)).to.deep.equal([HEADER, ...ROWS.map((r) => r.map(String))]);
  });

  it('exports the same as XLSX', async () => {
    const { type, body } = await download(q, 'xlsx');
    expect(type).to.equal('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(body as ExcelJS.Buffer);
    const sheet = workbook.getWorksheet('labour');
    const values = (r: number) => (sheet?.getRow(r).values as unknown[]).slice(1);
    expect(values(1)).to.deep.equal(HEADER);
    expect(ROWS.map((_, i) => values(i + 2))).to.deep.equal(ROWS);
  });
});
