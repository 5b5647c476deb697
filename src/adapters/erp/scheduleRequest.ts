import type { SchemaRegistry } from '../../app/schemaRegistry';
import type { ScheduledRequest } from '../../app/integrationImports';
import type { FieldProblem } from '../../domain/errors';
import type { OrderSpec, RoutingOperation } from '../../domain/order';
import { durationMinutes, elements, list, text, type Node } from './b2mmlTree';

/** Problems of one request by element path: the first said of an element is kept, so each is said once. */
class Problems {
  readonly byPath = new Map<string, string>();
  add(path: string, message: string): void {
    if (![...this.byPath.keys()].some((p) => path === p || path.startsWith(`${p}/`))) this.byPath.set(path, message);
  }
  list(): FieldProblem[] {
    return [...this.byPath].map(([path, message]) => ({ path, message }));
  }
}

type Material = { node: Node; path: string; use: string };

/** A segment's material requirements: MaterialRequirement with its MaterialUse, or the Produced/Consumed forms. */
const materialsOf = (segment: Node, path: string): Material[] => [
  ...elements(segment, 'MaterialRequirement').map((node, i) => ({
    node,
    path: `${path}/MaterialRequirement[${i + 1}]`,
    use: text(node, 'MaterialUse') ?? '',
  })),
  ...elements(segment, 'MaterialProducedRequirement').map((node, i) => ({
    node,
    path: `${path}/MaterialProducedRequirement[${i + 1}]`,
    use: 'Produced',
  })),
  ...elements(segment, 'MaterialConsumedRequirement').map((node, i) => ({
    node,
    path: `${path}/MaterialConsumedRequirement[${i + 1}]`,
    use: 'Consumed',
  })),
];

/** The first Quantity of a requirement: a number above 0 in QuantityString, and its UnitOfMeasure. */
const quantityOf = (m: Material, problems: Problems): { amount: number; unit?: string } | undefined => {
  const q = elements(m.node, 'Quantity')[0];
  if (!q) return (problems.add(`${m.path}/Quantity`, 'is required'), undefined);
  const raw = text(q, 'QuantityString');
  const amount = Number(raw);
  if (raw === undefined || !/^[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw) || !(amount > 0)) {
    problems.add(
      `${m.path}/Quantity/QuantityString`,
      raw === undefined ? 'is required' : `must be a number above 0, not "${raw}"`,
    );
    return undefined;
  }
  const unit = text(q, 'UnitOfMeasure');
  return unit ? { amount, unit } : { amount };
};

/** A parameter's first value in the standard shape, `<Value><ValueString>…</ValueString></Value>`. */
const valueOf = (parameter: Node, path: string, problems: Problems): string | undefined => {
  const value = list(parameter, 'Value')[0];
  if (value === undefined) return (problems.add(`${path}/Value`, 'is required'), undefined);
  const string = value !== null && typeof value === 'object' ? text(value as Node, 'ValueString') : undefined;
  if (string === undefined)
    problems.add(
      `${path}/Value/ValueString`,
      'is required: a value is written <Value><ValueString>…</ValueString></Value>',
    );
  return string;
};

/** A segment's parameters: ProductionParameter/Parameter (ProductionSchedule) and SegmentParameter (the Operations form). */
const parametersOf = (segment: Node, path: string): { node: Node; path: string }[] => [
  ...elements(segment, 'ProductionParameter').map((p, i) => ({
    node: elements(p, 'Parameter')[0] ?? {},
    path: `${path}/ProductionParameter[${i + 1}]/Parameter`,
  })),
  ...elements(segment, 'SegmentParameter').map((node, i) => ({ node, path: `${path}/SegmentParameter[${i + 1}]` })),
];

/** The first (or last) of some times by the instant they name, whatever their offsets. */
const pickTime = (times: { at: string; path: string }[], which: 'first' | 'last') =>
  [...times].sort((a, b) => (Date.parse(a.at) - Date.parse(b.at)) * (which === 'first' ? 1 : -1))[0];

/**
 * One ProductionRequest of a B2MML V0600 ProductionSchedule as an order (see the README's "B2MML in"
 * table): ID the order id; the Produced material requirement of its segments the product, quantity and
 * unit; StartTime / EndTime (else its segments' EarliestStartTime / LatestEndTime) the earliest start and
 * due date; Priority; Description the customer; the SegmentRequirements that name a ProcessSegmentID
 * the routing (none: the product's master routing). A problem names the B2MML element, never a field.
 */
export const readRequest = (request: Node, path: string, schemas: SchemaRegistry): ScheduledRequest => {
  const problems = new Problems();
  /** Where each field of the order came from, by JSON pointer: a schema problem is told by its element. */
  const sources: Record<string, string> = { '': path };
  const orderId = text(request, 'ID');
  if (!orderId) problems.add(`${path}/ID`, 'is required: it is the order id');
  sources['/orderId'] = `${path}/ID`;

  const segments = elements(request, 'SegmentRequirement').map((node, i) => ({
    node,
    path: `${path}/SegmentRequirement[${i + 1}]`,
  }));
  for (const s of segments) {
    if (list(s.node, 'SegmentRequirement').length > 0)
      problems.add(
        `${s.path}/SegmentRequirement[1]`,
        'is not read: send each operation as a SegmentRequirement of the request',
      );
  }
  const producing = segments
    .map((s) => ({ ...s, produced: materialsOf(s.node, s.path).filter((m) => m.use === 'Produced') }))
    .filter((s) => s.produced.length > 0);
  const last = producing[producing.length - 1];
  const produced = last?.produced[0];
  if (!produced)
    problems.add(
      `${path}/SegmentRequirement`,
      'a SegmentRequirement with a MaterialRequirement whose MaterialUse is Produced is required: it says what the order makes, how many and in which unit',
    );
  else if (last.produced.length > 1)
    problems.add(last.produced[1]!.path, 'is a second Produced material of the segment: an order makes one material');
  const product = produced ? text(produced.node, 'MaterialDefinitionID') : undefined;
  if (produced && !product)
    problems.add(`${produced.path}/MaterialDefinitionID`, 'is required: it names what the order makes');
  const amount = produced ? quantityOf(produced, problems) : undefined;
  const quantity = amount?.amount ?? 0;
  for (const field of ['/product', '/quantity', '/unit']) sources[field] = `${path}/SegmentRequirement`;
  if (produced) {
    sources['/product'] = `${produced.path}/MaterialDefinitionID`;
    sources['/quantity'] = `${produced.path}/Quantity/QuantityString`;
    sources['/unit'] = `${produced.path}/Quantity/UnitOfMeasure`;
  }

  const timeOf = (own: string, segmentElement: string, which: 'first' | 'last') => {
    const at = text(request, own);
    if (at) return { at, path: `${path}/${own}` };
    const times = segments.flatMap((s) => {
      const t = text(s.node, segmentElement);
      return t ? [{ at: t, path: `${s.path}/${segmentElement}` }] : [];
    });
    return pickTime(times, which);
  };
  const start = timeOf('StartTime', 'EarliestStartTime', 'first');
  const end = timeOf('EndTime', 'LatestEndTime', 'last');
  if (!end)
    problems.add(`${path}/EndTime`, 'is required (or LatestEndTime on its SegmentRequirements): it is the due date');
  if (start) sources['/earliestStart'] = start.path;
  sources['/dueDate'] = end?.path ?? `${path}/EndTime`;

  const priorityText = text(request, 'Priority');
  if (priorityText !== undefined && !/^[+-]?\d+$/.test(priorityText))
    problems.add(`${path}/Priority`, `must be a whole number, not "${priorityText}"`);
  // an ERP's scale may be wider than 1 to 9: held to it (0 is the most urgent, 1)
  const priority = problems.byPath.has(`${path}/Priority`) ? 5 : Math.min(9, Math.max(1, Number(priorityText ?? 5)));
  sources['/priority'] = `${path}/Priority`;
  sources['/customer'] = `${path}/Description`;

  const operationSegments = segments.filter((s) => text(s.node, 'ProcessSegmentID'));
  const ids = new Map<string, string>();
  for (const s of operationSegments) {
    const id = text(s.node, 'ID');
    if (id === undefined) continue;
    const first = ids.get(id);
    if (first !== undefined) problems.add(`${s.path}/ID`, `repeats the ID of ${first}: each operation needs its own`);
    else ids.set(id, s.path);
  }
  sources['/routing'] = `${path}/SegmentRequirement`;
  for (const s of segments) {
    if (operationSegments.includes(s)) continue;
    for (const m of materialsOf(s.node, s.path).filter((m) => m.use === 'Consumed'))
      problems.add(
        `${s.path}/ProcessSegmentID`,
        operationSegments.length > 0
          ? `is required: the segment consumes material (${m.path}), which an operation issues`
          : `is required where material is consumed (${m.path}): without operations the order takes the master routing and bill of materials`,
      );
  }
  const operations: RoutingOperation[] = operationSegments.map((s, n) => {
    const at = `/routing/operations/${n}`;
    sources[at] = s.path;
    sources[`${at}/operationId`] = `${s.path}/ID`;
    sources[`${at}/code`] = `${s.path}/ProcessSegmentID`;
    sources[`${at}/standardMinutesPerUnit`] = `${s.path}/Duration`;
    const equipment = elements(s.node, 'EquipmentRequirement')[0];
    const workCenter = text(equipment, 'EquipmentID') ?? text(equipment, 'EquipmentClassID');
    sources[`${at}/workCenter`] = !workCenter
      ? `${s.path}/EquipmentRequirement`
      : `${s.path}/EquipmentRequirement[1]/${text(equipment, 'EquipmentID') ? 'EquipmentID' : 'EquipmentClassID'}`;
    if (!workCenter)
      problems.add(
        `${s.path}/EquipmentRequirement`,
        'is required with an EquipmentID or EquipmentClassID: it names the work center',
      );
    const duration = text(s.node, 'Duration');
    const minutes = duration === undefined ? 0 : durationMinutes(duration);
    if (minutes === undefined)
      problems.add(`${s.path}/Duration`, `must be a duration such as PT5H or PT50M, not "${duration}"`);
    let inspectionRequired = false;
    for (const p of parametersOf(s.node, s.path).filter((p) => text(p.node, 'ID') === 'InspectionRequired')) {
      const value = valueOf(p.node, p.path, problems);
      if (value === undefined) continue;
      if (!/^(true|false|1|0)$/.test(value))
        problems.add(`${p.path}/Value/ValueString`, `must be true or false, not "${value}"`);
      inspectionRequired = value === 'true' || value === '1';
    }
    const consumed = materialsOf(s.node, s.path).filter((m) => m.use === 'Consumed');
    return {
      operationId: text(s.node, 'ID') ?? `${(n + 1) * 10}`.padStart(3, '0'),
      code: text(s.node, 'ProcessSegmentID') ?? '',
      workCenter: workCenter ?? '',
      standardMinutesPerUnit: minutes && quantity > 0 ? Math.round((minutes / quantity) * 10_000) / 10_000 : 0,
      setupMinutes: 0,
      inspectionRequired,
      materials: consumed.map((m, k) => {
        const mat = `${at}/materials/${k}`;
        sources[mat] = m.path;
        sources[`${mat}/material`] = `${m.path}/MaterialDefinitionID`;
        sources[`${mat}/quantityPerUnit`] = `${m.path}/Quantity/QuantityString`;
        sources[`${mat}/unit`] = `${m.path}/Quantity/UnitOfMeasure`;
        const material = text(m.node, 'MaterialDefinitionID');
        if (!material) problems.add(`${m.path}/MaterialDefinitionID`, 'is required: it names the material');
        const q = quantityOf(m, problems);
        if (q && !q.unit) problems.add(`${m.path}/Quantity/UnitOfMeasure`, 'is required for a consumed material');
        return {
          material: material ?? '',
          quantityPerUnit: q && quantity > 0 ? q.amount / quantity : 0,
          unit: q?.unit ?? '',
        };
      }),
    };
  });

  const spec = {
    product: product ?? '',
    quantity,
    ...(amount?.unit ? { unit: amount.unit } : {}),
    // line breaks and runs of spaces in an ERP's description become one space: a customer is one line
    customer: text(request, 'Description')?.replace(/\s+/g, ' ') ?? 'ERP',
    priority,
    dueDate: end?.at ?? '',
    ...(start ? { earliestStart: start.at } : {}),
    ...(operations.length > 0 ? { routing: { overlap: false, operations } } : {}),
  };
  for (const problem of schemas.check('commands/planOrder', { orderId: orderId ?? '', ...spec })) {
    // the nearest element the field came from; a field's own name is never shown
    let pointer = problem.path;
    while (!(pointer in sources) && pointer !== '') pointer = pointer.slice(0, pointer.lastIndexOf('/'));
    const message = /must have required property/.test(problem.message) ? 'is required' : problem.message;
    problems.add(sources[pointer] ?? path, message);
  }
  const found = problems.list();
  if (found.length > 0) return { ...(orderId ? { orderId } : {}), path, problems: found };
  // the unit may be left out, as planOrder.json allows: the master data gate gives the product's
  const order = { ...spec, overrunTolerance: 0, source: 'erp', erpRequestId: orderId ?? '' } as OrderSpec;
  return { orderId: orderId ?? '', path, spec: order, fields: sources };
};
