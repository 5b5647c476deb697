import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { EventMetadataInput, EventToAppend } from '../../src/app/eventStore';
import { DEFAULT_SCHEMA_ROOT, loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { createEventCodec, type Upcaster } from '../../src/adapters/eventstore/eventCodec';

export const FIXTURE_SCHEMAS = resolve(__dirname, '../fixtures/schemas');

/** TestLabelled v1 had no tags; v2 reads them as an empty list. */
export const testUpcasters: Upcaster[] = [
  { type: 'TestLabelled', fromVersion: 1, upcast: (data) => ({ ...data, tags: [] }) },
];

/** The codec of the real `schemas/` plus the test fixture event types. */
export const createTestCodec = () =>
  createEventCodec(loadSchemaRegistry([DEFAULT_SCHEMA_ROOT, FIXTURE_SCHEMAS]), testUpcasters);

export const meta = (overrides: Partial<EventMetadataInput> = {}): EventMetadataInput => ({
  occurredAt: '2026-11-25T08:00:00+08:00',
  actor: 'tester',
  source: 'system',
  correlationId: 'corr-1',
  causationId: 'cause-1',
  ...overrides,
});

export const counted = (
  n: number,
  extra: Partial<{ batch: string; note: string }> = {},
  id = randomUUID(),
): EventToAppend => ({
  id,
  type: 'TestCounted',
  data: { n, ...extra },
  metadata: meta(),
});

export const uniqueStream = (category = 'test'): string => `${category}-${randomUUID()}`;
