import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import Ajv2020, { type ErrorObject, type FormatDefinition, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ValidationError, type FieldProblem } from '../domain/errors';
import type { SchemaTypes } from '../domain/generated';

/** Every schema's `$id` is this base plus its path under `schemas/`. */
export const SCHEMA_BASE = 'https://mes-backbone.dev/schemas/';

export const DEFAULT_SCHEMA_ROOT = resolve(__dirname, '../../schemas');

const EVENT_FILE = /^events\/([A-Z][A-Za-z0-9]+)\.v(\d+)$/;

export type SchemaRegistry = {
  /** Keys are paths under a root without `.json`: `events/OrderPlanned.v1`, `commands/planOrder`. */
  has(key: string): boolean;
  keys(): string[];
  /** The problems of `value` against schema `key`; empty when valid. */
  check(key: string, value: unknown): FieldProblem[];
  /** Whether `value` is valid against schema `key`, building nothing: `check` or `assert` say why not. */
  valid(key: string, value: unknown): boolean;
  /** Throws a ValidationError naming each failing field (prefixed with `pathPrefix`). */
  assert(key: string, value: unknown, what: string, pathPrefix?: string): void;
  /** `value`, typed by the schema's generated type (src/domain/generated) once it validates; else as `assert`. */
  parse<K extends keyof SchemaTypes>(key: K, value: unknown, what: string, pathPrefix?: string): SchemaTypes[K];
  /** Versions of an event type that have a schema, ascending. */
  eventVersions(type: string): number[];
  eventTypes(): string[];
  /** The raw schema documents, for OpenAPI and AsyncAPI generation. */
  schema(key: string): Record<string, unknown> | undefined;
};

const listJsonFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listJsonFiles(path);
    return name.endsWith('.json') ? [path] : [];
  });

/** Patterns of schemas/common/defs.json said in words rather than as a regular expression. */
const PATTERN_MESSAGES: Record<string, string> = {
  '^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$': 'must be a code: letters, digits and . _ : @ -, up to 100 characters',
  '^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\uD800-\\uDFFF]+$':
    'must be text on one line without control characters, bidirectional overrides or unpaired surrogates',
};

export const toFieldProblems = (errors: readonly ErrorObject[] | null | undefined, prefix = ''): FieldProblem[] =>
  (errors ?? []).map((error) => {
    const params = error.params as Record<string, unknown>;
    const extra = params['additionalProperty'] ?? params['unevaluatedProperty'];
    const child =
      typeof params['missingProperty'] === 'string'
        ? `/${params['missingProperty']}`
        : typeof extra === 'string'
          ? `/${extra}`
          : '';
    const pattern = typeof params['pattern'] === 'string' ? PATTERN_MESSAGES[params['pattern']] : undefined;
    const message = typeof extra === 'string' ? 'is not allowed' : (pattern ?? error.message ?? 'is invalid');
    return { path: `${prefix}${error.instancePath}${child}` || '/', message };
  });

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (year: number): boolean => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
/** The two ASCII digits at `at` as a number, or -1. */
const twoDigits = (text: string, at: number): number => {
  const high = text.charCodeAt(at) - 48;
  const low = text.charCodeAt(at + 1) - 48;
  return high >= 0 && high <= 9 && low >= 0 && low <= 9 ? high * 10 + low : -1;
};
const isDigit = (text: string, at: number): boolean => {
  const code = text.charCodeAt(at);
  return code >= 48 && code <= 57;
};

/**
 * Whether `text` is an RFC 3339 date-time in the form the server and most clients write,
 * `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)`, with a real calendar date and every field in range,
 * read without splitting the string or running regular expressions. False says only "not this
 * form": the caller asks ajv-formats' full check then (leap seconds, `t` or a space as separator,
 * `+0800`, a lower-case `z`, invalid values), so together they accept and refuse exactly what
 * ajv-formats' full check does (a unit test compares the two).
 */
export const isPlainDateTime = (text: string): boolean => {
  const length = text.length;
  if (length < 20 || text.charCodeAt(10) !== 84 /* T */) return false;
  const century = twoDigits(text, 0);
  const yearOfCentury = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (
    century < 0 ||
    yearOfCentury < 0 ||
    text.charCodeAt(4) !== 45 /* - */ ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(13) !== 58 /* : */ ||
    text.charCodeAt(16) !== 58 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > (month === 2 && isLeapYear(century * 100 + yearOfCentury) ? 29 : (DAYS_IN_MONTH[month] as number)) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  ) {
    return false;
  }
  let at = 19;
  if (text.charCodeAt(at) === 46 /* . */) {
    // ajv-formats reads the seconds as a number: a long fraction of 59 rounds up to 60
    if (second === 59) return false;
    at += 1;
    if (!isDigit(text, at)) return false;
    while (isDigit(text, at)) at += 1;
  }
  if (at === length - 1) return text.charCodeAt(at) === 90; /* Z */
  if (at !== length - 6) return false;
  const sign = text.charCodeAt(at);
  const offsetHours = twoDigits(text, at + 1);
  const offsetMinutes = twoDigits(text, at + 4);
  return (
    (sign === 43 /* + */ || sign === 45) &&
    text.charCodeAt(at + 3) === 58 &&
    offsetHours >= 0 &&
    offsetHours <= 23 &&
    offsetMinutes >= 0 &&
    offsetMinutes <= 59
  );
};

/** ajv-formats' full `date-time` format with the usual form read first by isPlainDateTime. */
const withPlainDateTime = (ajv: Ajv2020): void => {
  const full = ajv.formats['date-time'];
  if (typeof full !== 'object' || full instanceof RegExp || typeof full.validate !== 'function') {
    throw new Error('ajv-formats no longer defines date-time as a function');
  }
  const definition = full as FormatDefinition<string>;
  const fullCheck = definition.validate as (text: string) => boolean;
  ajv.addFormat('date-time', { ...definition, validate: (text: string) => isPlainDateTime(text) || fullCheck(text) });
};

/**
 * Loads and compiles every JSON Schema (draft 2020-12) under the given roots, once. A later root may
 * add schemas but not replace one. Throws at start on a schema that does not compile.
 */
export const loadSchemaRegistry = (roots: string[] = [DEFAULT_SCHEMA_ROOT]): SchemaRegistry => {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  withPlainDateTime(ajv);
  const documents = new Map<string, Record<string, unknown>>();
  for (const root of roots) {
    for (const file of listJsonFiles(root)) {
      const key = relative(root, file)
        .split(sep)
        .join('/')
        .replace(/\.json$/, '');
      const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      const expectedId = `${SCHEMA_BASE}${key}.json`;
      if (schema['$id'] !== expectedId) {
        throw new Error(`schema ${file}: $id must be ${expectedId}`);
      }
      if (documents.has(key)) throw new Error(`schema ${key} is defined twice`);
      documents.set(key, schema);
      ajv.addSchema(schema);
    }
  }
  const compiled = new Map<string, ValidateFunction>();
  for (const [key, schema] of documents) {
    compiled.set(key, ajv.getSchema(schema['$id'] as string) as ValidateFunction);
  }
  const versions = new Map<string, number[]>();
  for (const key of documents.keys()) {
    const match = EVENT_FILE.exec(key);
    if (!match) continue;
    const [, type, version] = match as unknown as [string, string, string];
    versions.set(
      type,
      [...(versions.get(type) ?? []), Number(version)].sort((a, b) => a - b),
    );
  }

  const validator = (key: string): ValidateFunction => {
    const validate = compiled.get(key);
    if (!validate) throw new Error(`no schema ${key}`);
    return validate;
  };

  const check = (key: string, value: unknown): FieldProblem[] => {
    const validate = validator(key);
    return validate(value) ? [] : toFieldProblems(validate.errors);
  };

  const assert = (key: string, value: unknown, what: string, pathPrefix = ''): void => {
    const validate = validator(key);
    if (validate(value)) return;
    const problems = toFieldProblems(validate.errors, pathPrefix);
    const first = problems[0] as FieldProblem;
    throw new ValidationError(`${what} is invalid: ${first.path} ${first.message}`, problems);
  };

  return {
    has: (key) => compiled.has(key),
    keys: () => [...compiled.keys()].sort(),
    check,
    valid: (key, value) => validator(key)(value),
    assert,
    parse: <K extends keyof SchemaTypes>(key: K, value: unknown, what: string, pathPrefix = '') => {
      assert(key, value, what, pathPrefix);
      // the type was generated from this schema (a unit test keeps the two the same)
      return value as SchemaTypes[K];
    },
    eventVersions: (type) => versions.get(type) ?? [],
    eventTypes: () => [...versions.keys()].sort(),
    schema: (key) => documents.get(key),
  };
};
