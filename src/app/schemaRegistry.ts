import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
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

/**
 * Loads and compiles every JSON Schema (draft 2020-12) under the given roots, once. A later root may
 * add schemas but not replace one. Throws at start on a schema that does not compile.
 */
export const loadSchemaRegistry = (roots: string[] = [DEFAULT_SCHEMA_ROOT]): SchemaRegistry => {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
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

  const check = (key: string, value: unknown, prefix = ''): FieldProblem[] => {
    const validate = compiled.get(key);
    if (!validate) throw new Error(`no schema ${key}`);
    return validate(value) ? [] : toFieldProblems(validate.errors, prefix);
  };

  const assert = (key: string, value: unknown, what: string, pathPrefix = ''): void => {
    const problems = check(key, value, pathPrefix);
    if (problems.length > 0) {
      const first = problems[0] as FieldProblem;
      throw new ValidationError(`${what} is invalid: ${first.path} ${first.message}`, problems);
    }
  };

  return {
    has: (key) => compiled.has(key),
    keys: () => [...compiled.keys()].sort(),
    check: (key, value) => check(key, value),
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
