import { createHash } from 'node:crypto';
import { ValidationError, isKnownError, type FieldProblem } from '../../domain/errors';
import { REASON_KINDS, masterKind, type MasterKind, type ReasonKind } from '../../domain/masterData';
import type { CommandMeta } from '../../domain/messages';
import { canonicalJson } from '../../lib/canonicalJson';
import type { CommandHandler, CommandResult } from '../commandHandler';
import type { SchemaRegistry } from '../schemaRegistry';
import { createMasterLookup } from './lookup';
import { checkReferences } from './references';
import { createMasterDataService } from './service';
import { currentOf, sameRecord, type SheetTarget } from './sheetCurrent';
import { SHEET_LAYOUTS, isSheet, type SheetKind, type SheetLayout } from './sheetLayouts';
import { cellOf, readRecords, type RowProblem, type SheetRecord, type SheetTable } from './sheetRecords';

/** Problems of an import's rows, each named by sheet, row and column; nothing was written. */
export class SheetRowsError extends ValidationError {
  constructor(
    message: string,
    readonly rows: RowProblem[],
  ) {
    super(
      message,
      rows.map((r) => ({ path: `/${r.sheet}/${r.row}/${r.column}`, message: r.message })),
      { rule: 'sheet-rows-invalid' },
    );
  }
}

/** What an import did with each record: written (with its events), unchanged, or refused row by row. */
export type SheetImportResult = {
  written: Array<{ sheet: string; code: string; rows: number[]; events: string[] }>;
  unchanged: Array<{ sheet: string; code: string; rows: number[] }>;
  refused: RowProblem[];
};

const TARGETS: Record<string, { kind: MasterKind | 'reason'; schema: string }> = {
  products: { kind: 'product', schema: 'commands/defineProduct' },
  materials: { kind: 'material', schema: 'commands/defineMaterial' },
  routing: { kind: 'routing', schema: 'commands/defineRouting' },
  bom: { kind: 'bom', schema: 'commands/defineBom' },
  'reason-codes': { kind: 'reason', schema: 'commands/defineReasonCode' },
  employees: { kind: 'employee', schema: 'commands/defineEmployee' },
};

/** The sheets of a file for a kind: a CSV file's one sheet is the kind's first; a workbook's are found by name. */
const sheetsOf = (kind: SheetKind, tables: readonly SheetTable[]): Array<[SheetLayout, SheetTable]> => {
  const layouts = SHEET_LAYOUTS[kind];
  const [only] = tables;
  if (tables.length === 1 && only) return [[layouts[0] as SheetLayout, only]];
  const found = layouts.flatMap((layout) => {
    const table = tables.find((t) => isSheet(layout, t.name));
    return table ? [[layout, table] as [SheetLayout, SheetTable]] : [];
  });
  if (found.length === 0)
    throw new ValidationError(`the workbook has no sheet named ${layouts.map((l) => l.sheet).join(' or ')}`, [
      { path: '/sheets', message: `found ${tables.map((t) => t.name).join(', ') || 'none'}` },
    ]);
  return found;
};

/**
 * Bulk import of master data from sheets. Every row is checked first (cells, schema, the kind's
 * rules, the codes it names against master data and the file's own routings); with any bad row
 * nothing is written unless `partial`, then only the records whose rows are all good. A record
 * equal to the version in force is left unchanged, so importing the same file again writes nothing.
 */
export const createSheetImport = (deps: { commands: CommandHandler; schemas: SchemaRegistry }) => {
  const service = createMasterDataService(deps);

  const check = async (
    record: SheetRecord,
    target: SheetTarget,
    routings: ReadonlyMap<string, unknown>,
    now: string,
    mayWriteReason: (kind: ReasonKind) => boolean,
  ): Promise<void> => {
    const problems = (list: FieldProblem[]) => record.problems.push(...list.map((p) => cellOf(record, p)));
    if (record.problems.length > 0) return;
    const { kind: _kind, ...body } = record.body;
    problems(deps.schemas.check(TARGETS[record.layout.sheet]?.schema as string, body));
    if (record.problems.length > 0 || target.kind === 'reason') {
      const reason = target.kind === 'reason' ? target.reason : undefined;
      if (reason && !mayWriteReason(reason))
        problems([{ path: '/kind', message: `your roles may not write ${reason} reason codes` }]);
      return;
    }
    const { code, effectiveFrom, ...content } = body as { code: string; effectiveFrom?: string };
    const input = { code, ...(effectiveFrom ? { effectiveFrom } : {}), record: content };
    const entry = masterKind(target.kind);
    const lookup = createMasterLookup(deps.commands);
    // a BOM's operations may be those of a routing in the same file, not yet written
    const overlay = {
      ...lookup,
      at: async <R>(kind: MasterKind, c: string, at: string) => {
        const routing = kind === 'routing' ? routings.get(c) : undefined;
        if (routing) return { version: 0, effectiveFrom: at, record: routing as R, active: true, since: at };
        return lookup.at<R>(kind, c, at);
      },
    };
    // casts: the sheet's kind is chosen at run time, so its record type is erased (as in the service's validate)
    problems(entry.kind.validate(content as never));
    problems(await checkReferences(entry.references(input as never), overlay, effectiveFrom ?? now));
  };

  const targetOf = (record: SheetRecord): SheetTarget => {
    const kind = TARGETS[record.layout.sheet]?.kind as MasterKind | 'reason';
    if (kind !== 'reason') return { kind };
    const reason = record.body['kind'] as ReasonKind;
    if (!REASON_KINDS.includes(reason)) {
      record.problems.push({
        sheet: record.layout.sheet,
        row: record.rows[0] as number,
        column: 'kind',
        message: `must be one of ${REASON_KINDS.join(', ')}`,
      });
    }
    return { kind, reason };
  };

  const repeated = (records: readonly SheetRecord[]): void => {
    const seen = new Map<string, number>();
    for (const record of records) {
      const key = `${record.layout.sheet} ${JSON.stringify(record.body['kind'] ?? '')} ${record.code}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, record.rows[0] as number);
      else
        record.problems.push({
          sheet: record.layout.sheet,
          row: record.rows[0] as number,
          column: record.layout.columns[0]?.header as string,
          message: `${record.code} appears again (first on row ${first})`,
        });
    }
  };

  const write = async (
    record: SheetRecord,
    target: SheetTarget,
    meta: CommandMeta,
    requestId: string,
  ): Promise<CommandResult | 'unchanged'> => {
    const {
      kind: _kind,
      code,
      effectiveFrom,
      ...content
    } = record.body as {
      kind?: string;
      code: string;
      effectiveFrom?: string;
    };
    const at = effectiveFrom ?? meta.now;
    const current = await currentOf(deps.commands, target, code, at);
    if (current.inForce && sameRecord(current.inForce, content)) return 'unchanged';
    const input = { code, ...(effectiveFrom ? { effectiveFrom } : {}), record: content };
    const hash = createHash('sha256').update(canonicalJson(input)).digest('hex').slice(0, 32);
    // derived from the row's content and the record's history: a retried import appends nothing twice
    const context = {
      commandId: `sheet:${record.layout.sheet}:${code}:${current.changes}:${hash}`,
      correlationId: requestId,
      source: 'api' as const,
    };
    if (target.kind === 'reason') {
      const send = current.defined ? service.reviseReason : service.defineReason;
      // cast: the row was checked as a reason code record above; its type is erased with the sheet's kind
      return send(target.reason as ReasonKind, input as never, meta, context);
    }
    const send = current.defined ? service.revise : service.define;
    return send(target.kind, input, meta, context);
  };

  return async (
    kind: SheetKind,
    tables: readonly SheetTable[],
    options: {
      partial: boolean;
      meta: CommandMeta;
      requestId: string;
      /** Whether the caller's roles may write reason codes of a kind (each kind has its keepers). */
      mayWriteReason: (kind: ReasonKind) => boolean;
    },
  ): Promise<SheetImportResult> => {
    const { meta } = options;
    const read = sheetsOf(kind, tables).map(([layout, table]) => readRecords(layout, table));
    const header = read.flatMap((r) => r.header);
    if (header.length > 0) throw new SheetRowsError('the header row names columns the sheet does not have', header);
    const records = read.flatMap((r) => r.records);
    const targets = records.map(targetOf);
    repeated(records);
    const routings = new Map<string, unknown>();
    for (const [i, record] of records.entries()) {
      await check(record, targets[i] as SheetTarget, routings, meta.now, options.mayWriteReason);
      if (record.layout.sheet === 'routing' && record.problems.length === 0) {
        const { code: _c, effectiveFrom: _e, ...routing } = record.body;
        routings.set(record.code, routing);
      }
    }
    const refused = records.flatMap((r) => r.problems).sort((a, b) => a.row - b.row);
    if (refused.length > 0 && !options.partial)
      throw new SheetRowsError(`${refused.length} cells of the file are invalid: nothing was written`, refused);
    const result: SheetImportResult = { written: [], unchanged: [], refused };
    for (const [i, record] of records.entries()) {
      if (record.problems.length > 0) continue;
      const { sheet } = record.layout;
      try {
        const outcome = await write(record, targets[i] as SheetTarget, meta, options.requestId);
        if (outcome === 'unchanged' || outcome.events.length === 0)
          result.unchanged.push({ sheet, code: record.code, rows: record.rows });
        else
          result.written.push({
            sheet,
            code: record.code,
            rows: record.rows,
            events: outcome.events.map((e) => e.type),
          });
      } catch (error) {
        if (!isKnownError(error)) throw error;
        const problems = error instanceof ValidationError && error.problems.length > 0 ? error.problems : [];
        const cells = problems.map((p) => cellOf(record, p));
        result.refused.push(
          ...(cells.length > 0 ? cells : [cellOf(record, { path: '/code', message: error.message })]),
        );
      }
    }
    return result;
  };
};
