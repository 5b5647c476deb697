import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { SchemaRegistry } from '../../app/schemaRegistry';
import type { ScheduleReader, ScheduledRequest } from '../../app/integrationImports';
import { ValidationError } from '../../domain/errors';
import { elements, type Node } from './b2mmlTree';
import { readRequest } from './scheduleRequest';

/** Refuses what must never be parsed: a DTD can declare entities that read files or the network (XXE). */
const refuseDtd = (xml: string): void => {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw new ValidationError('DTDs and entity declarations are refused', [
      { path: '/', message: 'the document declares a DTD or entities (<!DOCTYPE / <!ENTITY)' },
    ]);
  }
};

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REFERENCE = /&(?:#(\d{1,7})|#x([0-9A-Fa-f]{1,6})|([A-Za-z_][\w.-]*));/g;

/** Decodes XML's character and predefined entity references in one pass (so `&amp;lt;` stays `&lt;`). */
const decodeReferences = (text: string): string =>
  text.replace(REFERENCE, (whole, dec?: string, hex?: string, name?: string) => {
    const code = dec !== undefined ? Number(dec) : hex !== undefined ? parseInt(hex, 16) : undefined;
    if (code !== undefined) return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    return PREDEFINED[name ?? ''] ?? whole;
  });

/** Entity references XML does not define without a DTD (`&nbsp;`): the document is not well-formed. */
const refuseUndefinedEntities = (xml: string): void => {
  const unknown = [...xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '').matchAll(REFERENCE)].find(
    (m) => m[3] !== undefined && !(m[3] in PREDEFINED),
  );
  if (unknown) {
    throw new ValidationError(`the document uses an entity XML does not define: ${unknown[0]}`, [
      { path: '/', message: `uses ${unknown[0]}, which is not an XML entity (write the character itself)` },
    ]);
  }
};

/** CDATA content is literal text: escaped here so the one decoding pass gives it back unchanged. */
const escapeCdata = (xml: string): string =>
  xml.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_, text: string) =>
    text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  );

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  processEntities: false,
  tagValueProcessor: (_name, value) => decodeReferences(value),
});

/** A schedule is a few levels deep; a deeper document is refused before anything recurses over it. */
const MAX_DEPTH = 32;
const tooDeep = (): never => {
  throw new ValidationError(`the document is nested deeper than ${MAX_DEPTH} levels`, [
    { path: '/', message: `nests deeper than ${MAX_DEPTH} levels` },
  ]);
};

/**
 * The deepest element nesting of an XML text, by one linear scan of its tags: each `<` is read up to
 * the next `>` and the scan goes on after it, so no character is looked at twice (a pattern that
 * searched for `>` from every `<` took seconds on 160 KB of `<a`).
 */
const unclosed = (xml: string, at: number): never => {
  const before = xml.slice(0, at);
  const line = (before.match(/\n/g)?.length ?? 0) + 1;
  const column = at - before.lastIndexOf('\n');
  throw new ValidationError(`the XML does not parse: the tag at line ${line}, column ${column} is never closed`, [
    { path: `/line ${line}/column ${column}`, message: 'the tag is never closed' },
  ]);
};

const xmlDepth = (xml: string): number => {
  let depth = 0;
  let deepest = 0;
  for (let at = xml.indexOf('<'); at >= 0;) {
    const end = xml.indexOf('>', at + 1);
    // unterminated: refused here, before the parser spends its time on it (1 MiB of `<a`)
    if (end < 0) unclosed(xml, at);
    const first = xml.charCodeAt(at + 1);
    if (first === 47 /* / */) depth -= 1;
    else if (/[A-Za-z_]/.test(xml[at + 1] ?? '') && xml.charCodeAt(end - 1) !== 47)
      deepest = Math.max(deepest, (depth += 1));
    at = xml.indexOf('<', end + 1);
  }
  return deepest;
};

/**
 * A B2MML V0600 ProductionSchedule from XML or its JSON rendering, as a plain tree: element names as
 * keys, text as strings (a JSON number is read as its text), a repeated element as a list.
 */
export const parseSchedule = (body: unknown, contentType: string): Node => {
  if (/xml/.test(contentType)) {
    if (typeof body !== 'string' || body.trim() === '')
      throw new ValidationError('the XML document is empty', [{ path: '/', message: 'is empty' }]);
    refuseDtd(body);
    if (xmlDepth(body) > MAX_DEPTH) tooDeep();
    const valid = XMLValidator.validate(body);
    if (valid !== true) {
      // the parser's message quotes the offending text: 1 MiB of '<a' is one tag name, not to be sent back twice
      const message = valid.err.msg.length > 200 ? `${valid.err.msg.slice(0, 200)}…` : valid.err.msg;
      throw new ValidationError(`the XML does not parse: ${message}`, [
        { path: `/line ${valid.err.line}/column ${valid.err.col}`, message },
      ]);
    }
    refuseUndefinedEntities(body);
    return parser.parse(escapeCdata(body)) as Node;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError('the schedule must be a JSON object', [{ path: '/', message: 'must be an object' }]);
  const normalise = (value: unknown, depth = 0): unknown => {
    if (depth > MAX_DEPTH) tooDeep();
    if (Array.isArray(value)) return value.map((v) => normalise(v, depth + 1));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value as Node).map(([k, v]) => [k, normalise(v, depth + 1)]));
    return typeof value === 'number' ? String(value) : value;
  };
  return normalise(body) as Node;
};

const ROOT = 'ProductionSchedule';

/**
 * Reads each ProductionRequest of a schedule on its own: an order to plan, or the request's element path
 * and its problems (each once, named by B2MML element). Refuses the whole document only when it is no
 * ProductionSchedule or has no ProductionRequest.
 */
export const scheduleRequests = (document: Node, schemas: SchemaRegistry): ScheduledRequest[] => {
  const schedule = document[ROOT];
  if (schedule === null || typeof schedule !== 'object' || Array.isArray(schedule)) {
    const root = Object.keys(document).find((k) => k !== '?xml') ?? 'nothing';
    throw new ValidationError(`the document is not a ProductionSchedule (its root is ${root})`, [
      { path: ROOT, message: `is required as the document's root element (found ${root})` },
    ]);
  }
  const requests = elements(schedule as Node, 'ProductionRequest');
  if (requests.length === 0)
    throw new ValidationError('the schedule has no ProductionRequest', [
      { path: `${ROOT}/ProductionRequest`, message: 'is required' },
    ]);
  const seen = new Map<string, string>();
  return requests.map((request, index) => {
    const path = `${ROOT}/ProductionRequest[${index + 1}]`;
    const read = readRequest(request, path, schemas);
    if (read.orderId === undefined) return read;
    const first = seen.get(read.orderId);
    if (first === undefined) {
      seen.set(read.orderId, path);
      return read;
    }
    return {
      orderId: read.orderId,
      path,
      problems: [{ path: `${path}/ID`, message: `repeats the ID of ${first}: one request per order in a schedule` }],
    };
  });
};

/** The application's schedule reader over B2MML: parse, then read each ProductionRequest on its own. */
export const readB2mmlSchedule =
  (schemas: SchemaRegistry): ScheduleReader =>
  (body, contentType) =>
    scheduleRequests(parseSchedule(body, contentType), schemas);
