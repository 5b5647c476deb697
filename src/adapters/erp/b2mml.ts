import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { SchemaRegistry } from '../../app/schemaRegistry';
import type { ScheduleReader, ScheduledOrder } from '../../app/integrationImports';
import { ValidationError, type FieldProblem } from '../../domain/errors';
import type { OrderSpec, RoutingOperation } from '../../domain/order';

/** One ProductionRequest of a schedule, as an order to plan (or revise). */

type Node = Record<string, unknown>;

const LISTS = new Set([
  'ProductionRequest',
  'SegmentRequirement',
  'MaterialRequirement',
  'EquipmentRequirement',
  'SegmentParameter',
]);

/** Refuses what must never be parsed: a DTD can declare entities that read files or the network (XXE). */
const refuseDtd = (xml: string): void => {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw new ValidationError('DTDs and entity declarations are refused', [
      { path: '/', message: 'the document declares a DTD or entities (<!DOCTYPE / <!ENTITY)' },
    ]);
  }
};

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  processEntities: false,
  isArray: (name) => LISTS.has(name),
});

/** A schedule is a few levels deep; a deeper document is refused before anything recurses over it. */
const MAX_DEPTH = 32;
const tooDeep = (): never => {
  throw new ValidationError(`the document is nested deeper than ${MAX_DEPTH} levels`, [
    { path: '/', message: `nests deeper than ${MAX_DEPTH} levels` },
  ]);
};

/** The deepest element nesting of an XML text, by one linear scan of its tags. */
const xmlDepth = (xml: string): number => {
  let depth = 0;
  let deepest = 0;
  for (const tag of xml.matchAll(/<(\/?)[A-Za-z_][^>]*?(\/?)>/g)) {
    if (tag[1]) depth -= 1;
    else if (!tag[2]) deepest = Math.max(deepest, (depth += 1));
  }
  return deepest;
};

/** A B2MML V0600 ProductionSchedule from XML or its JSON rendering, as a plain tree. */
export const parseSchedule = (body: unknown, contentType: string): Node => {
  if (/xml/.test(contentType)) {
    if (typeof body !== 'string' || body.trim() === '')
      throw new ValidationError('the XML document is empty', [{ path: '/', message: 'is empty' }]);
    refuseDtd(body);
    if (xmlDepth(body) > MAX_DEPTH) tooDeep();
    const valid = XMLValidator.validate(body);
    if (valid !== true) {
      throw new ValidationError(`the XML does not parse: ${valid.err.msg}`, [
        { path: `/line ${valid.err.line}/column ${valid.err.col}`, message: valid.err.msg },
      ]);
    }
    return parser.parse(body) as Node;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError('the schedule must be a JSON object', [{ path: '/', message: 'must be an object' }]);
  // the JSON rendering: single elements may come as objects where XML allows lists
  const normalise = (value: unknown, name = '', depth = 0): unknown => {
    if (depth > MAX_DEPTH) tooDeep();
    if (Array.isArray(value)) return value.map((v) => normalise(v, '', depth + 1));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Node).map(([k, v]) => [
          k,
          LISTS.has(k) && !Array.isArray(v) ? [normalise(v, k, depth + 1)] : normalise(v, k, depth + 1),
        ]),
      );
    }
    return name === '' ? value : typeof value === 'number' ? String(value) : value;
  };
  return normalise(body) as Node;
};

/** An element's text: a string or number, or the #text / ID of an element that has children. */
const text = (node: Node | undefined, name: string): string | undefined => {
  const scalar = (value: unknown): string | undefined =>
    typeof value === 'string'
      ? value.trim()
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : undefined;
  const value = node?.[name];
  if (value !== null && typeof value === 'object' && !Array.isArray(value))
    return scalar((value as Node)['#text']) ?? scalar((value as Node)['ID']);
  return scalar(value);
};

const list = (node: Node | undefined, name: string): Node[] => (node?.[name] as Node[] | undefined) ?? [];

const durationMinutes = (iso: string | undefined): number | undefined => {
  const match = iso ? /^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(iso) : null;
  if (!match) return undefined;
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0) + Number(match[3] ?? 0) / 60;
};

const quantityOf = (requirement: Node): { quantity: number; unit: string } | undefined => {
  const q = requirement['Quantity'] as Node | undefined;
  const amount = Number(text(q, 'QuantityString'));
  const unit = text(q, 'UnitOfMeasure') ?? 'pcs';
  return Number.isFinite(amount) && amount > 0 ? { quantity: amount, unit } : undefined;
};

/**
 * Maps a schedule's ProductionRequests to orders. ID is the order id; ProductProductionRuleID the
 * product; Priority the customer priority; SegmentRequirements the operations (ID, ProcessSegmentID as
 * the code, EquipmentRequirement/EquipmentID or EquipmentClassID as the work center, Duration over
 * the order quantity as the standard time per unit, SegmentParameter InspectionRequired); consumed
 * MaterialRequirements of a segment its bill of materials; the produced MaterialRequirement of the
 * request the quantity and unit; EarliestStartTime / LatestEndTime the earliest start and due date.
 * Each mapped order is validated like a planner's; a problem names the element's path.
 */
export const scheduleToOrders = (schedule: Node, schemas: SchemaRegistry): ScheduledOrder[] => {
  const root = (schedule['ProductionSchedule'] as Node | undefined) ?? schedule;
  const requests = list(root, 'ProductionRequest');
  if (requests.length === 0)
    throw new ValidationError('the schedule has no ProductionRequest', [
      { path: '/ProductionSchedule/ProductionRequest', message: 'is required' },
    ]);
  const problems: FieldProblem[] = [];
  const orders: ScheduledOrder[] = [];
  requests.forEach((request, index) => {
    const path = `/ProductionSchedule/ProductionRequest[${index}]`;
    const segments = list(request, 'SegmentRequirement');
    const produced = list(request, 'MaterialRequirement').find((m) => text(m, 'MaterialUse') === 'Produced');
    const amount = produced ? quantityOf(produced) : undefined;
    if (!amount)
      problems.push({
        path: `${path}/MaterialRequirement`,
        message: 'a Produced MaterialRequirement with a Quantity is required',
      });
    const quantity = amount?.quantity ?? 0;
    const times = (name: string) =>
      [text(request, name), ...segments.map((s) => text(s, name))].filter((t): t is string => !!t).sort();
    const earliest = times('EarliestStartTime')[0];
    const latest = times('LatestEndTime').pop();
    if (!latest)
      problems.push({ path: `${path}/LatestEndTime`, message: 'is required (on the request or its segments)' });
    const operations: RoutingOperation[] = segments.map((segment, s) => {
      const equipment = list(segment, 'EquipmentRequirement')[0];
      const minutes = durationMinutes(text(segment, 'Duration'));
      const inspection = list(segment, 'SegmentParameter').some(
        (p) => text(p, 'ID') === 'InspectionRequired' && /^(true|1|yes)$/i.test(text(p, 'Value') ?? ''),
      );
      return {
        operationId: text(segment, 'ID') ?? `${(s + 1) * 10}`.padStart(3, '0'),
        code: text(segment, 'ProcessSegmentID') ?? 'OP',
        workCenter: text(equipment, 'EquipmentID') ?? text(equipment, 'EquipmentClassID') ?? 'UNASSIGNED',
        standardMinutesPerUnit:
          minutes !== undefined && quantity > 0 ? Math.round((minutes / quantity) * 10_000) / 10_000 : 0,
        setupMinutes: 0,
        inspectionRequired: inspection,
        materials: list(segment, 'MaterialRequirement')
          .filter((m) => (text(m, 'MaterialUse') ?? 'Consumed') === 'Consumed')
          .map((m) => {
            const q = quantityOf(m);
            return {
              material: text(m, 'MaterialDefinitionID') ?? 'UNKNOWN',
              quantityPerUnit: q && quantity > 0 ? q.quantity / quantity : 0,
              unit: q?.unit ?? 'pcs',
            };
          }),
      };
    });
    const priority = Math.min(9, Math.max(1, Math.round(Number(text(request, 'Priority') ?? 5)) || 5));
    const body = {
      orderId: text(request, 'ID'),
      product: text(request, 'ProductProductionRuleID') ?? text(produced, 'MaterialDefinitionID'),
      quantity,
      unit: amount?.unit ?? 'pcs',
      // line breaks and runs of spaces in an ERP's description become one space: a customer is one line
      customer: text(request, 'Description')?.replace(/\s+/g, ' ') ?? 'ERP',
      priority,
      dueDate: latest,
      ...(earliest ? { earliestStart: earliest } : {}),
      ...(operations.length > 0 ? { routing: { overlap: false, operations } } : {}),
    };
    const elements: Record<string, string> = {
      orderId: 'ID',
      product: 'ProductProductionRuleID',
      quantity: 'MaterialRequirement',
      dueDate: 'LatestEndTime',
      earliestStart: 'EarliestStartTime',
      routing: 'SegmentRequirement',
    };
    for (const problem of schemas.check('commands/planOrder', body)) {
      const field = problem.path.split('/')[1] ?? '';
      problems.push({
        path: `${path}/${elements[field] ?? field}${problem.path
          .split('/')
          .slice(2)
          .map((p) => `/${p}`)
          .join('')}`,
        message: problem.message,
      });
    }
    const { orderId: _o, ...spec } = body;
    orders.push({
      orderId: body.orderId ?? '',
      path,
      spec: {
        ...(spec as Omit<OrderSpec, 'source' | 'overrunTolerance' | 'erpRequestId'>),
        overrunTolerance: 0,
        source: 'erp',
        erpRequestId: body.orderId ?? '',
      },
    });
  });
  if (problems.length > 0)
    throw new ValidationError(`the schedule does not validate: ${problems[0]?.path} ${problems[0]?.message}`, problems);
  return orders;
};

/** The application's schedule reader over B2MML: parse, then map each ProductionRequest to an order. */
export const readB2mmlSchedule =
  (schemas: SchemaRegistry): ScheduleReader =>
  (body, contentType) =>
    scheduleToOrders(parseSchedule(body, contentType), schemas);
