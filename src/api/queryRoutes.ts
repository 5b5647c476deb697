import { formatCsv } from '../lib/csv';
import QRCode from 'qrcode';
import type { CommandHandler } from '../app/commandHandler';
import { cardPayload, type CardKeySource } from '../app/operationCards';
import type { Filter, Page } from '../app/readStore';
import { NotFoundError, ValidationError } from '../domain/errors';
import { reasonCodesAt } from '../domain/masterData';
import { nameIn, type Language, type Names } from '../domain/names';
import type { ReadModelQueries } from '../projections/queries';
import type { Role } from './auth';
import { XLSX_MIME, writeCsv, writeXlsx } from './sheetFiles';
import type { SheetLayout } from '../app/masterData/sheetLayouts';
import { languageOf } from './language';
import type { RouteContext, RouteSpec } from './routes';

const READERS: Role[] = ['analyst', 'planner', 'quality', 'maintenance', 'auditor'];
export const SHOP_FLOOR: Role[] = [...READERS, 'operator'];

const query = (
  path: string,
  summary: string,
  tag: string,
  roles: Role[],
  handle: (ctx: RouteContext) => Promise<unknown>,
  schema?: string,
): RouteSpec => ({
  method: 'get',
  path,
  summary,
  tag,
  roles,
  kind: 'query',
  ...(schema ? { query: schema } : {}),
  async handle(ctx) {
    return { body: await handle(ctx) };
  },
});

const p = (ctx: RouteContext, name: string): string => ctx.params[name] as string;
const limit = (ctx: RouteContext): number | undefined => (ctx.query['limit'] ? Number(ctx.query['limit']) : undefined);

const escapeXml = (text: string): string => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
/**
 * A CSV download: UTF-8 with a byte order mark, so a spreadsheet on a Chinese Windows reads its
 * Chinese names as UTF-8 rather than GBK.
 */
const sendCsv = (ctx: RouteContext, file: string, fields: string[], rows: ReadonlyArray<Record<string, unknown>>) => {
  ctx.res
    .status(200)
    .type('text/csv; charset=utf-8')
    .set('Content-Disposition', `attachment; filename="${file}"`)
    .send(formatCsv([fields, ...rows.map((r) => fields.map((f) => csvText(r[f])))]));
};
/** An order as an answer shows it (see `orderAnswer`). */
type OrderAnswer = Record<string, unknown>;
/** A page of orders as an answer shows it. */
type OrderPage = { items: readonly OrderAnswer[]; nextCursor?: string };
/**
 * An order document as an answer shows it: with its product's name in the caller's language, and
 * without the read store's own fields, which nobody reads (`_id` repeats `orderId`; `_pos` is the log
 * position the store's writes are ordered by): 44 bytes of each order, 8% of an order list's answer.
 */
const orderAnswer = (doc: Record<string, unknown>, language: Language): OrderAnswer => {
  const { _id, _pos, ...order } = doc;
  const name = nameIn(doc['productNames'] as Names | undefined, language);
  if (name) order['productName'] = name;
  return order;
};
/*
 * A page of orders as answers, per language, kept beside a page the queries keep (frozen: the same page
 * while the WIP read model and the orders' lateness hold), itself frozen so that its JSON is encoded
 * once (sendJson): an order list asked again is then a lookup, not a copy of each order and its JSON.
 */
const namedPages = new WeakMap<object, Map<Language, OrderPage>>();
const namedPage = (page: Page, language: Language): OrderPage => {
  const name = (p: Page): OrderPage => ({ ...p, items: p.items.map((doc) => orderAnswer(doc, language)) });
  if (!Object.isFrozen(page)) return name(page);
  let byLanguage = namedPages.get(page);
  if (!byLanguage) namedPages.set(page, (byLanguage = new Map<Language, OrderPage>()));
  let named = byLanguage.get(language);
  if (!named) {
    const items = page.items.map((doc) => Object.freeze(orderAnswer(doc, language)));
    byLanguage.set(language, (named = Object.freeze({ ...page, items: Object.freeze(items) })));
  }
  return named;
};
const CARD_LABELS: Record<Language, Record<'order' | 'product' | 'operation' | 'workCenter' | 'quantity', string>> = {
  'zh-CN': { order: '订单', product: '产品', operation: '工序', workCenter: '工作中心', quantity: '数量' },
  en: { order: 'Order', product: 'Product', operation: 'Operation', workCenter: 'Work center', quantity: 'Quantity' },
};
// fonts with the CJK glyphs a Chinese name needs, where the viewer or printer has them
const CARD_FONTS = `'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif`;
/** A read-model value as CSV text; a leading = + - @ would be a formula in a spreadsheet (quoting is formatCsv's). */
const csvText = (value: unknown): string => {
  const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : JSON.stringify(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
};

/** The payroll export: per operator, payroll day (the shift's) and operation; good and scrap for piece rate (计件). */
const PAYROLL: SheetLayout = {
  sheet: 'labour',
  zh: '工时与计件',
  columns: [
    { header: 'operatorId', zh: '员工', type: 'code', field: 'operatorId' },
    { header: 'day', zh: '日期（班次）', type: 'text', field: 'day' },
    { header: 'orderId', zh: '订单', type: 'code', field: 'orderId' },
    { header: 'operationId', zh: '工序', type: 'code', field: 'operationId' },
    { header: 'hours', zh: '工时', type: 'number', field: 'hours' },
    { header: 'overtimeHours', zh: '班外工时（加班）', type: 'number', field: 'overtimeHours' },
    { header: 'good', zh: '合格数', type: 'number', field: 'good' },
    { header: 'scrap', zh: '报废数', type: 'number', field: 'scrap' },
  ],
};

/** Analysts' queries over the read models, and the printable operation card. */
export const queryRoutes = (deps: {
  queries: ReadModelQueries;
  commands: CommandHandler;
  cardKey: CardKeySource;
}): RouteSpec[] => {
  const q = deps.queries;
  /** The order and routed operation a card is for; 404 when either does not exist. */
  const cardOf = async (ctx: RouteContext) => {
    const orderId = p(ctx, 'orderId');
    const operationId = p(ctx, 'operationId');
    const { state } = await deps.commands.load('order', orderId);
    if (state.status === 'Initial') throw new NotFoundError(`order ${orderId} does not exist`);
    // a rework operation's card shows the operation it reworks, as <code>-RW, with no material to issue
    const rework = state.reworks?.find((r) => r.operationId === operationId)?.reworkOf;
    const found = state.spec.routing?.operations.find((o) => o.operationId === (rework?.operationId ?? operationId));
    if (!found) throw new NotFoundError(`order ${orderId} has no operation ${operationId}`);
    const routed = rework ? { ...found, code: `${found.code}-RW`, materials: [] } : found;
    return { orderId, operationId, state, routed };
  };
  return [
    {
      method: 'get',
      path: '/api/wip/orders',
      summary:
        'Orders in progress: filter by status and product, sort by due date, priority or id, page with a cursor; format=csv gives every matching order',
      tag: 'wip',
      roles: SHOP_FLOOR,
      kind: 'query',
      query: 'queries/orders',
      async handle(ctx) {
        const filter: Filter = {};
        if (ctx.query['status']) filter['status'] = ctx.query['status'];
        if (ctx.query['product']) filter['product'] = ctx.query['product'];
        const sort = ctx.query['sort'];
        const language = languageOf(ctx.req);
        const options = {
          filter,
          ...(sort
            ? {
                sort: {
                  field: sort.replace(/^-/, '').replace('orderId', '_id'),
                  direction: sort.startsWith('-') ? (-1 as const) : (1 as const),
                },
              }
            : {}),
          ...(limit(ctx) ? { limit: limit(ctx) } : {}),
          ...(ctx.query['cursor'] ? { cursor: ctx.query['cursor'] } : {}),
        };
        if (ctx.query['format'] !== 'csv') return { body: namedPage(await q.wip.orders(options), language) };
        const rows: Array<Record<string, unknown>> = [];
        const every = { filter, ...(options.sort ? { sort: options.sort } : {}), limit: 1000 };
        for (let page = await q.wip.orders(every); ;) {
          rows.push(...page.items.map((doc) => orderAnswer(doc, language)));
          if (!page.nextCursor) break;
          page = await q.wip.orders({ ...every, cursor: page.nextCursor });
        }
        const fields = ['orderId', 'product', 'productName', 'quantity', 'unit', 'customer', 'priority', 'dueDate'];
        sendCsv(ctx, 'orders.csv', [...fields, 'status', 'quantityRemaining', 'late'], rows);
        return { stream: true };
      },
    },
    query(
      '/api/wip/orders/:orderId',
      'One order: status, operations, good and scrap, quantity remaining, lateness',
      'wip',
      SHOP_FLOOR,
      async (ctx) => orderAnswer(await q.wip.order(p(ctx, 'orderId')), languageOf(ctx.req)),
    ),
    query(
      '/api/wip/work-centers/:workCenter',
      'A work center: its queue in the order of its dispatch rule, what runs, load in hours',
      'wip',
      SHOP_FLOOR,
      (ctx) => q.wip.workCenter(p(ctx, 'workCenter')),
    ),
    query(
      '/api/dispatch/:workCenter',
      'A work center’s queue in the order of its dispatch rule (priority then due date, or critical ratio), each entry with its critical ratio',
      'wip',
      SHOP_FLOOR,
      async (ctx) => (await q.wip.workCenter(p(ctx, 'workCenter')))['queue'],
    ),
    query(
      '/api/quality/loops',
      'Quality loops (nonconformances) with age, state, lot and disposition',
      'quality',
      READERS,
      (ctx) => {
        const filter: Filter = {};
        for (const field of ['state', 'orderId', 'lotId']) if (ctx.query[field]) filter[field] = ctx.query[field];
        return q.quality.loops(filter);
      },
      'queries/loops',
    ),
    query(
      '/api/quality/yields',
      'First-pass and final yield by product (with rolled throughput yield), operation, work center or day',
      'quality',
      READERS,
      (ctx) => q.quality.yields((ctx.query['by'] as 'product') ?? 'product'),
      'queries/yields',
    ),
    query(
      '/api/quality/pareto',
      'Defect Pareto with cumulative share: view=units (by cause, scrap reasons labelled) or view=characteristics (failed characteristics)',
      'quality',
      READERS,
      async (ctx) => {
        if (ctx.query['view'] === 'characteristics') return q.quality.characteristicFailures();
        const language = languageOf(ctx.req);
        const { state } = await deps.commands.load('reasonCodes', 'scrap');
        const labels = new Map(reasonCodesAt(state, 'scrap', ctx.meta.now).map((r) => [r.code, r.names]));
        return (await q.quality.defectUnits()).map((row) => {
          const label = row.kind === 'scrap' ? nameIn(labels.get(row.reason), language) : undefined;
          return label ? { ...row, label } : row;
        });
      },
      'queries/pareto',
    ),
    query(
      '/api/quality/worklist/inspections',
      'Quality worklist: inspections to do (requested, not decided), oldest first, with age',
      'quality',
      ['quality', 'planner'],
      () => q.quality.worklist.inspections(),
    ),
    query(
      '/api/quality/worklist/nonconformances',
      'Quality worklist: nonconformances open (open or in rework), oldest first, with quantity and dispositions',
      'quality',
      ['quality', 'planner'],
      () => q.quality.worklist.nonconformances(),
    ),
    query(
      '/api/quality/worklist/holds',
      'Quality worklist: hold points in force (a required inspection or an open NC holding an order’s later operations)',
      'quality',
      ['quality', 'planner'],
      () => q.quality.worklist.holds(),
    ),
    query('/api/maintenance/overdue', 'Overdue maintenance plans, longest overdue first', 'maintenance', READERS, () =>
      q.maintenance.overdue(),
    ),
    query(
      '/api/maintenance/due-soon',
      'Maintenance plans coming due within a horizon (horizonHours, default MAINTENANCE_DUE_SOON_HOURS), soonest first',
      'maintenance',
      READERS,
      (ctx) => q.maintenance.dueSoon(ctx.query['horizonHours'] ? Number(ctx.query['horizonHours']) : undefined),
      'queries/dueSoon',
    ),
    query(
      '/api/maintenance/requests',
      'Corrective maintenance requests (a breakdown until its repair), latest first; by machine and status',
      'maintenance',
      READERS,
      (ctx) => {
        const filter: { machineId?: string; status?: string } = {};
        if (ctx.query['machineId']) filter.machineId = ctx.query['machineId'];
        if (ctx.query['status']) filter.status = ctx.query['status'];
        return q.maintenance.requests(filter);
      },
      'queries/correctiveRequests',
    ),
    query(
      '/api/maintenance/machines/:machineId',
      'A machine’s plans with next due, its MTBF and MTTR from corrective requests, and maintenance booked without plan or breakdown flagged',
      'maintenance',
      READERS,
      async (ctx) => ({
        plans: await q.maintenance.plans(p(ctx, 'machineId')),
        reliability: await q.maintenance.reliability(p(ctx, 'machineId')),
      }),
    ),
    query(
      '/api/carbon/orders/:orderId',
      'kWh and kg CO2 of an order per site, and per unit; its share of overhead beside',
      'carbon',
      READERS,
      (ctx) => q.carbon.order(p(ctx, 'orderId')),
    ),
    query(
      '/api/carbon/products/:product',
      'kWh and kg CO2 per unit of a product over its completed orders; overhead beside',
      'carbon',
      READERS,
      (ctx) => q.carbon.product(p(ctx, 'product')),
    ),
    query(
      '/api/carbon/machines/:machineId',
      'kWh and kg CO2 of a machine at its site, with its overhead',
      'carbon',
      READERS,
      (ctx) => q.carbon.machine(p(ctx, 'machineId')),
    ),
    query(
      '/api/carbon/days/:day',
      'kWh and kg CO2 of a day per site, with each factor and its source',
      'carbon',
      READERS,
      (ctx) => {
        const day = p(ctx, 'day');
        if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day))) {
          throw new ValidationError(`${day} is not a day`, [
            { path: '/params/day', message: 'must be a date, YYYY-MM-DD' },
          ]);
        }
        return q.carbon.day(day);
      },
    ),
    query(
      '/api/genealogy/:lotId/backward',
      'What went into a lot, transitively: each lot once with its status, each link once',
      'genealogy',
      [...READERS],
      (ctx) => q.genealogy.backward(p(ctx, 'lotId')),
    ),
    query(
      '/api/genealogy/:lotId/forward',
      'Where a lot went, transitively, down to the customers it was shipped to (for a recall)',
      'genealogy',
      [...READERS],
      (ctx) => q.genealogy.forward(p(ctx, 'lotId')),
    ),
    query('/api/labour/orders/:orderId', 'Labour hours of an order, by operator', 'labour', READERS, (ctx) =>
      q.labour.order(p(ctx, 'orderId')),
    ),
    {
      method: 'get',
      path: '/api/labour',
      summary:
        'Labour per operator and day (hours, overtime, good, scrap); format=csv or xlsx: payroll per operator, day and operation',
      tag: 'labour',
      roles: READERS,
      kind: 'query',
      query: 'queries/labour',
      async handle(ctx) {
        const selection = {
          ...(ctx.query['operatorId'] ? { operatorId: ctx.query['operatorId'] } : {}),
          ...(ctx.query['from'] ? { from: ctx.query['from'] } : {}),
          ...(ctx.query['to'] ? { to: ctx.query['to'] } : {}),
        };
        const format = ctx.query['format'] ?? 'json';
        if (format === 'json') return { body: await q.labour.operatorDays(selection) };
        const sheet = {
          layout: PAYROLL,
          rows: (await q.labour.payroll(selection)).map((r) =>
            PAYROLL.columns.map((c) => r[c.field as keyof typeof r]),
          ),
        };
        if (format === 'xlsx') {
          ctx.res
            .status(200)
            .type(XLSX_MIME)
            .set('Content-Disposition', 'attachment; filename="labour.xlsx"')
            .send(await writeXlsx([sheet]));
        } else {
          ctx.res
            .status(200)
            .type('text/csv; charset=utf-8')
            .set('Content-Disposition', 'attachment; filename="labour.csv"')
            .send(writeCsv(sheet));
        }
        return { stream: true };
      },
    },
    {
      method: 'get',
      path: '/api/orders/:orderId/operations/:operationId/card',
      summary:
        'The operation card as JSON: the signed QR payload (for label printers and PDAs), what the card shows, the work instructions',
      tag: 'operations',
      roles: ['planner', 'operator'],
      kind: 'query',
      async handle(ctx) {
        const { orderId, operationId, state, routed } = await cardOf(ctx);
        const language = languageOf(ctx.req);
        const { instructions, instructionsUrl } = routed;
        return {
          body: {
            payload: cardPayload(deps.cardKey, { orderId, operationId }),
            orderId,
            operationId,
            code: routed.code,
            ...(routed.names ? { operationName: nameIn(routed.names, language) } : {}),
            workCenter: routed.workCenter,
            product: state.spec.product,
            ...(state.spec.productNames ? { productName: nameIn(state.spec.productNames, language) } : {}),
            quantity: state.spec.quantity,
            unit: state.spec.unit,
            ...(instructions ? { instructions } : {}),
            ...(instructionsUrl ? { instructionsUrl } : {}),
            customer: state.spec.customer,
            dueDate: state.spec.dueDate,
            materials: routed.materials,
          },
        };
      },
    },
    {
      method: 'get',
      path: '/api/orders/:orderId/operations/:operationId/card.svg',
      summary: 'The printable operation card: QR code, order, product, operation, work center, quantity',
      tag: 'operations',
      roles: ['planner', 'operator'],
      kind: 'query',
      produces: 'image/svg+xml',
      async handle(ctx) {
        const { orderId, operationId, state, routed } = await cardOf(ctx);
        const qr = await QRCode.toString(cardPayload(deps.cardKey, { orderId, operationId }), {
          type: 'svg',
          margin: 1,
          errorCorrectionLevel: 'M',
        });
        const inner = qr.replace(/^<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '');
        const viewBox = /viewBox="([^"]+)"/.exec(qr)?.[1] ?? '0 0 33 33';
        const language = languageOf(ctx.req);
        const label = CARD_LABELS[language];
        const productName = nameIn(state.spec.productNames, language);
        const operationName = nameIn(routed.names, language);
        const lines = [
          `${label.order} ${orderId}`,
          `${label.product} ${state.spec.product}${productName ? ` ${productName}` : ''}`,
          `${label.operation} ${operationId} ${operationName ?? routed.code}`,
          `${label.workCenter} ${routed.workCenter}`,
          `${label.quantity} ${state.spec.quantity} ${state.spec.unit}`,
        ];
        const text = lines
          .map(
            (line, i) =>
              `<text x="210" y="${40 + i * 28}" font-family="${CARD_FONTS}" font-size="18">${escapeXml(line)}</text>`,
          )
          .join('');
        const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="200" viewBox="0 0 600 200"><rect width="600" height="200" fill="#fff" stroke="#000"/><svg x="10" y="10" width="180" height="180" viewBox="${viewBox}">${inner}</svg>${text}</svg>`;
        ctx.res.status(200).type('image/svg+xml').send(svg);
        return { stream: true };
      },
    },
  ];
};
