import type { CommandHandler } from '../app/commandHandler';
import { exportSheets, type ExportRecord } from '../app/masterData/sheetExport';
import { createSheetImport } from '../app/masterData/sheetImport';
import { SHEET_KINDS, type SheetKind } from '../app/masterData/sheetLayouts';
import type { SchemaRegistry } from '../app/schemaRegistry';
import { REASON_KINDS, reasonCodesAt, type MasterKind, type ReasonKind } from '../domain/masterData';
import type { ReadModelQueries } from '../projections/queries';
import type { Role } from './auth';
import { MASTER_ROUTES, REASON_WRITERS } from './masterDataRoutes';
import { sendProblem } from './problem';
import type { RouteContext, RouteSpec } from './routes';
import { CSV_MIME, XLSX_MIME, readSheetFile, writeCsv, writeXlsx } from './sheetFiles';

const READERS: Role[] = ['analyst', 'planner', 'quality', 'maintenance', 'auditor', 'operator', 'integrator'];

const writersOf = (kind: SheetKind): Role[] => {
  if (kind === 'reason-codes') return [...new Set(REASON_KINDS.flatMap((k) => REASON_WRITERS[k]))];
  const master = {
    products: 'product',
    materials: 'material',
    routings: 'routing',
    boms: 'bom',
    employees: 'employee',
  };
  return [...(MASTER_ROUTES.find((r) => r.kind === master[kind])?.writers ?? [])];
};

const WHAT: Record<SheetKind, string> = {
  products: 'products',
  materials: 'purchased materials',
  routings: 'routings with BOMs (XLSX sheets routing and bom; CSV: routing)',
  boms: 'bills of materials (one row per material of an operation)',
  'reason-codes': 'reason codes of every kind',
  employees: 'employees',
};

/** `GET /api/master/{kind}/export` and `POST /api/master/{kind}/import` for each kind a spreadsheet holds. */
export const masterSheetRoutes = (deps: {
  commands: CommandHandler;
  schemas: SchemaRegistry;
  queries: ReadModelQueries;
}): RouteSpec[] => {
  const records = async (kind: MasterKind): Promise<ExportRecord[]> => {
    const found: ExportRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await deps.queries.master.list(kind, { active: true, limit: 1000, ...(cursor ? { cursor } : {}) });
      found.push(...page.items.map(({ code, record }) => ({ code, record })));
      cursor = page.nextCursor;
    } while (cursor);
    return found;
  };
  const reasons = async (now: string) =>
    (
      await Promise.all(
        REASON_KINDS.map(async (k) => reasonCodesAt((await deps.commands.load('reasonCodes', k)).state, k, now)),
      )
    ).flat();
  const mayWriteReason = (ctx: RouteContext) => (kind: ReasonKind) =>
    ctx.principal.roles.some((role) => REASON_WRITERS[kind].includes(role));

  return SHEET_KINDS.flatMap((kind): RouteSpec[] => [
    {
      method: 'get',
      path: `/api/master/${kind}/export`,
      summary: `Export active ${WHAT[kind]} as CSV or XLSX, with zh-CN and en names`,
      tag: 'master data',
      roles: READERS,
      kind: 'query',
      query: 'queries/masterExport',
      produces: [CSV_MIME, XLSX_MIME],
      async handle(ctx) {
        const sheets = await exportSheets(kind, { records, reasons: () => reasons(ctx.meta.now) });
        const file = `${kind}-${ctx.meta.now.slice(0, 10)}`;
        if (ctx.query['format'] === 'xlsx') {
          ctx.res
            .status(200)
            .type(XLSX_MIME)
            .set('Content-Disposition', `attachment; filename="${file}.xlsx"`)
            .send(await writeXlsx(sheets));
        } else {
          // a CSV file is one sheet: a routing's BOM is exported by /api/master/boms/export
          ctx.res
            .status(200)
            .type('text/csv; charset=utf-8')
            .set('Content-Disposition', `attachment; filename="${file}.csv"`)
            .send(writeCsv(sheets[0] as (typeof sheets)[number]));
        }
        return { stream: true };
      },
    },
    {
      method: 'post',
      path: `/api/master/${kind}/import`,
      summary: `Import ${WHAT[kind]} from CSV or XLSX: a bad row writes nothing unless partial=true`,
      tag: 'master data',
      roles: writersOf(kind),
      kind: 'command',
      query: 'queries/masterImport',
      accepts: [CSV_MIME, XLSX_MIME],
      async handle(ctx) {
        const type = ctx.req.get('content-type') ?? '';
        if (!ctx.req.is(CSV_MIME) && !ctx.req.is(XLSX_MIME)) {
          sendProblem(
            ctx.res,
            'unsupported-media-type',
            415,
            'Unsupported media type',
            `send the file as ${CSV_MIME} or ${XLSX_MIME}`,
          );
          return { stream: true };
        }
        const tables = await readSheetFile(ctx.req.body, type);
        const result = await createSheetImport(deps)(kind, tables, {
          partial: ctx.query['partial'] === 'true',
          meta: ctx.meta,
          requestId: ctx.requestId,
          mayWriteReason: mayWriteReason(ctx),
        });
        return { body: { kind, ...result } };
      },
    },
  ]);
};
