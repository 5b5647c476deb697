import { inject, type InjectionKey } from 'vue';
import type { ApiClient } from './api';
import type { Capabilities } from './capabilities';

/** A reason an operator picks: a code the backbone records, and a name when master data has one. */
export type Reason = { code: string; name?: string };

// used until master data serves reason codes; their names are i18n keys reasons.<kind>.<code>
export const BUILT_IN_REASONS: Record<'downtime' | 'scrap', readonly string[]> = {
  downtime: ['breakdown', 'setup', 'no-material', 'tooling', 'quality-check', 'break'],
  scrap: ['dimension', 'surface', 'material-defect', 'setup-piece', 'damage', 'other'],
};

type Named = { code?: string; id?: string; name?: string; label?: string; names?: Record<string, string> };

const localName = (doc: Named, locale: string): string | undefined => doc.names?.[locale] ?? doc.label ?? doc.name;
const itemsOf = (body: unknown): Named[] =>
  Array.isArray(body) ? (body as Named[]) : ((body as { items?: Named[] } | null)?.items ?? []);

/**
 * Names from master data when the backbone serves them (the master data issue), else codes: products,
 * materials, downtime and scrap reasons. Each answer is kept for the session; offline, codes.
 */
export const createMasterData = (api: ApiClient, capabilities: () => Capabilities, locale: () => string) => {
  const names = new Map<string, Promise<string | undefined>>();
  /** A product's or material's name (`GET /api/master/products/{code}`, `.../materials/{code}`), when served. */
  const nameOf = (kind: 'products' | 'materials', code: string): Promise<string | undefined> => {
    const template = capabilities().find('get', new RegExp(`^/api/master/${kind}/\\{[^}]+\\}$`));
    if (!template) return Promise.resolve(undefined);
    let known = names.get(`${kind}/${code}`);
    if (!known) {
      known = api
        .get<Named>(template.replace(/\{[^}]+\}/, encodeURIComponent(code)))
        .then((doc) => localName(doc, locale()))
        .catch(() => undefined);
      names.set(`${kind}/${code}`, known);
    }
    return known;
  };
  const reasons = new Map<string, Promise<Reason[]>>();
  return {
    productName: (code: string) => nameOf('products', code),
    materialName: (code: string) => nameOf('materials', code),
    reasons(kind: 'downtime' | 'scrap'): Promise<Reason[]> {
      const builtIn = BUILT_IN_REASONS[kind].map((code) => ({ code }));
      if (!capabilities().has('get', '/api/master/reason-codes')) return Promise.resolve(builtIn);
      let known = reasons.get(kind);
      if (!known) {
        known = api
          .get<unknown>(`/api/master/reason-codes?kind=${kind}&active=true`)
          .then((body) =>
            itemsOf(body).flatMap((doc): Reason[] => {
              const code = doc.code ?? doc.id;
              const name = localName(doc, locale());
              return code ? [{ code, ...(name ? { name } : {}) }] : [];
            }),
          )
          .then((list) => (list.length > 0 ? list : builtIn))
          .catch(() => builtIn);
        reasons.set(kind, known);
      }
      return known;
    },
  };
};

export type MasterData = ReturnType<typeof createMasterData>;
export const MASTER_DATA: InjectionKey<MasterData> = Symbol('masterData');

export const useMasterData = (): MasterData => {
  const masterData = inject(MASTER_DATA);
  if (!masterData) throw new Error('master data is provided by main.ts');
  return masterData;
};
