import type { Document } from '../app/readStore';
import { inForce, type MasterKind, type Names, type TimelineEntry } from '../domain/masterData';
import { ValidationError } from '../domain/errors';

/** A record as lists show it: the version in force at the asked instant. */
export type MasterView = {
  kind: MasterKind;
  code: string;
  version: number;
  effectiveFrom: string;
  active: boolean;
  names?: Names;
  record: Record<string, unknown>;
};

export type MasterListOptions = {
  /** Part of the code or of a name in either language, any case. */
  q?: string;
  active?: boolean;
  /** Default now. */
  at?: string;
  /** Records whose field of this name equals the value (family, site). */
  fields?: Record<string, string>;
  limit?: number;
  /** The last code of the previous page. */
  cursor?: string;
};

const matches = (view: MasterView, q: string): boolean => {
  const needle = q.toLocaleLowerCase();
  return [view.code, view.names?.['zh-CN'], view.names?.en].some((text) => text?.toLocaleLowerCase().includes(needle));
};

const decodeCode = (cursor: string): string => {
  const code = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$/.test(code))
    throw new ValidationError('the cursor is not one this service gave out', [
      { path: '/query/cursor', message: 'is invalid' },
    ]);
  return code;
};

/** Lists and search over the master-data read model; what is in force is computed at the asked instant. */
export const masterDataQueries = (all: (kind: MasterKind) => Promise<Document[]>, now: () => string) => ({
  list: async (kind: MasterKind, options: MasterListOptions = {}) => {
    const at = options.at ?? now();
    const after = options.cursor ? decodeCode(options.cursor) : undefined;
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
    const views = (await all(kind))
      .flatMap((doc): MasterView[] => {
        const current = inForce(doc['timeline'] as TimelineEntry<Record<string, unknown>>[], at);
        if (!current) return [];
        const { version, effectiveFrom, active, record } = current;
        const names = record['names'] as Names | undefined;
        return [
          { kind, code: doc['code'] as string, version, effectiveFrom, active, ...(names ? { names } : {}), record },
        ];
      })
      .filter(
        (view) =>
          (options.active === undefined || view.active === options.active) &&
          (options.q === undefined || matches(view, options.q)) &&
          Object.entries(options.fields ?? {}).every(([field, value]) => view.record[field] === value),
      )
      .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
      .filter((view) => after === undefined || view.code > after);
    const items = views.slice(0, limit);
    const last = items[items.length - 1];
    return {
      at,
      items,
      ...(views.length > limit && last ? { nextCursor: Buffer.from(last.code).toString('base64url') } : {}),
    };
  },
});
