// The auditor's screens: what the traceability routes answer, and the few helpers the screens share.
import type { ApiClient } from '../../composables/api';

/** One recorded event as GET /api/streams/:streamId/events and /api/correlations/:id answer it. */
export type AuditEvent = {
  id: string;
  type: string;
  streamId: string;
  revision: number;
  position: string;
  recordedAt: string;
  metadata: {
    actor?: string;
    source?: string;
    correlationId?: string;
    causationId?: string;
    occurredAt?: string;
    receivedAt?: string;
    clientRequestId?: string;
    [key: string]: unknown;
  };
  data: Record<string, unknown>;
};

/** GET /api/streams/:streamId/state?asOf= */
export type StateAsOf = {
  streamId: string;
  asOf: string | null;
  revision: number;
  lastEventAt: string;
  state: Record<string, unknown>;
};

/** The kinds of stream the search box finds: an order or a lot. */
export type StreamKind = 'order' | 'lot';

/** The plant's time zone: dates are shown there, whatever the browser's zone. */
export const PLANT_ZONE = 'Asia/Shanghai';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** An instant in the plant's zone, to the millisecond (events of one order are often a second apart). */
export const formatInstant = (iso: string | undefined, locale: string): string => {
  if (!iso) return '';
  let format = formatters.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      timeZone: PLANT_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      fractionalSecondDigits: 3,
      hour12: false,
    });
    formatters.set(locale, format);
  }
  return format.format(new Date(iso));
};

/** The stream an id typed in the search box names: `order-…`/`lot-…` as typed, else the kind chosen. */
export const streamIdOf = (kind: StreamKind, typed: string): string => {
  const id = typed.trim();
  return /^(order|lot)-/.test(id) ? id : `${kind}-${id}`;
};

/** The kind and the id of a stream (`lot-PO-001-FG` -> lot, `PO-001-FG`). */
export const splitStream = (streamId: string): { category: string; id: string } => {
  const dash = streamId.indexOf('-');
  return { category: streamId.slice(0, dash), id: streamId.slice(dash + 1) };
};

/** An event's data as indented JSON, for the expandable rows. */
export const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

/**
 * Fetches a file with the office session (the cookie; the CSRF header as every call) and hands it to
 * the browser as a download: the export routes answer streams, not JSON, so ApiClient's parsing is skipped.
 */
export const download = async (
  api: ApiClient,
  path: string,
  fileName: string,
  type: string,
  keep?: (line: string) => boolean,
): Promise<Blob> => {
  const response = await fetch(path, {
    headers: { accept: type, ...api.credentials() },
    credentials: 'same-origin',
    cache: 'no-store',
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  let text = await response.text();
  if (keep) {
    const lines = text.split('\n').filter((line) => line && keep(line));
    text = lines.length ? `${lines.join('\n')}\n` : '';
  }
  const blob = new Blob([text], { type });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return blob;
};

/** A genealogy walk as GET /api/genealogy/:lotId/{backward,forward} answers it. */
export type Genealogy = {
  lotId: string;
  direction: 'backward' | 'forward';
  lots: Array<{ lotId?: string; material?: string; status?: string; quantity?: number; unit?: string | null }>;
  links: Array<{
    from: string;
    to: string;
    kind: 'issued' | 'produced' | 'shipped';
    quantity: number;
    unit: string | null;
  }>;
  customers?: Array<{ customer: string; lotId: string; shipmentId: string }>;
};

export type GraphNode = {
  id: string;
  kind: 'lot' | 'order' | 'customer';
  label: string;
  status?: string;
  side: 'root' | 'backward' | 'forward';
};
export type GraphLink = { from: string; to: string; kind: string; quantity: number; unit: string | null };

/** One graph of both walks: the lot in the middle, what went into it on the left, where it went on the right. */
export const genealogyGraph = (
  lotId: string,
  backward: Genealogy | undefined,
  forward: Genealogy | undefined,
): { nodes: GraphNode[]; links: GraphLink[] } => {
  const nodes = new Map<string, GraphNode>();
  const links = new Map<string, GraphLink>();
  const status = new Map<string, string>();
  for (const walk of [backward, forward])
    for (const lot of walk?.lots ?? []) if (lot.lotId && lot.status) status.set(`lot:${lot.lotId}`, lot.status);
  const add = (key: string, side: GraphNode['side']): void => {
    if (nodes.has(key)) return;
    const colon = key.indexOf(':');
    const kind = key.slice(0, colon) as GraphNode['kind'];
    const label = key.slice(colon + 1);
    nodes.set(key, { id: key, kind, label, side, ...(status.has(key) ? { status: status.get(key) } : {}) });
  };
  add(`lot:${lotId}`, 'root');
  for (const [walk, side] of [
    [backward, 'backward'],
    [forward, 'forward'],
  ] as const) {
    for (const link of walk?.links ?? []) {
      add(link.from, side);
      add(link.to, side);
      links.set(`${link.from}|${link.to}|${link.kind}`, link);
    }
  }
  return { nodes: [...nodes.values()], links: [...links.values()] };
};

/** Columns of the graph: each node placed by its distance from the lot (backward left, forward right). */
export const layoutColumns = (graph: { nodes: GraphNode[]; links: GraphLink[] }, root: string): Map<string, number> => {
  const column = new Map<string, number>([[root, 0]]);
  const walk = (step: 1 | -1): void => {
    const queue = [root];
    while (queue.length) {
      const at = queue.shift() as string;
      for (const link of graph.links) {
        const next = step === 1 ? (link.from === at ? link.to : undefined) : link.to === at ? link.from : undefined;
        if (next && !column.has(next)) {
          column.set(next, (column.get(at) as number) + step);
          queue.push(next);
        }
      }
    }
  };
  walk(-1);
  walk(1);
  return column;
};
