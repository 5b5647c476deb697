/** A parsed B2MML element: child elements by name; text as a string; a repeated element as a list. */
export type Node = Record<string, unknown>;

const scalar = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value.trim()
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : undefined;

/** An element's text (the first, when repeated): its string, or the #text of an element with children. */
export const text = (node: Node | undefined, name: string): string | undefined => {
  const raw = node?.[name];
  const value = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
  if (value !== null && typeof value === 'object') return scalar((value as Node)['#text']) || undefined;
  return scalar(value) || undefined;
};

/** The elements of a name, in document order: one element or a list (XML repeats, JSON arrays). */
export const list = (node: Node | undefined, name: string): unknown[] => {
  const value = node?.[name];
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? (value as unknown[]) : [value];
};

/** The child elements of a name that have children of their own (text where an element belongs is left out). */
export const elements = (node: Node | undefined, name: string): Node[] =>
  list(node, name).map((v) => (v !== null && typeof v === 'object' ? (v as Node) : {}));

/** Minutes of an xsd:duration (PnDTnHnMnS; no years or months, whose length varies), or undefined. */
export const durationMinutes = (iso: string): number | undefined => {
  const match = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
    iso,
  );
  if (!match || iso === 'P' || iso.endsWith('T')) return undefined;
  const [, d, h, m, s] = match;
  return Number(d ?? 0) * 1440 + Number(h ?? 0) * 60 + Number(m ?? 0) + Number(s ?? 0) / 60;
};
