/**
 * Canonical JSON after RFC 8785 (JCS): object members sorted by UTF-16 code units, no white space,
 * numbers and strings as ECMAScript serialises them. Any JCS implementation reproduces the bytes,
 * so an auditor can recompute an event's hash without this code. (Loops, not map/join, a by-hand
 * sort of small key lists, a cache of quoted keys, strings quoted without JSON.stringify when nothing
 * needs escaping: it runs on the data and the metadata of every event appended.)
 */
export const canonicalJson = (value: unknown): string => {
  switch (typeof value) {
    case 'string':
      return jsonString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON has no form for ${value}`);
      // what JSON.stringify writes for a finite number (Number::toString, -0 as 0)
      return String(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i += 1) {
          if (i > 0) out += ',';
          const item: unknown = value[i];
          out += item === undefined ? 'null' : canonicalJson(item);
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      const keys = sortKeys(Object.keys(record));
      let out = '{';
      let first = true;
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        out += `${first ? '' : ','}${quoteKey(key)}:${canonicalJson(member)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonical JSON has no form for a ${typeof value}`);
  }
};

/**
 * The canonical JSON of `record` with one more member, `name`, as the texts before and after that
 * member's value, the closing brace left off: `before + canonicalJson(value) + after + '}'` is
 * `canonicalJson({ ...record, [name]: value })` (a member `name` of `record` itself is replaced, as the
 * spread would). For text whose one member is known last, and which is extended after its last
 * member: the event store knows an event's metadata before the hash it chains it to, and stores the
 * hash after it.
 */
export const canonicalAround = (record: Record<string, unknown>, name: string): [before: string, after: string] => {
  const shape = shapeAround(Object.keys(record), name);
  let before = '{';
  let after = '';
  const { sorted, quoted, split } = shape;
  for (let i = 0; i < sorted.length; i += 1) {
    const member = record[sorted[i] as string];
    if (member === undefined) continue;
    if (i < split) before += `${quoted[i] as string}:${canonicalJson(member)},`;
    else after += `,${quoted[i] as string}:${canonicalJson(member)}`;
  }
  return [`${before}${quoteKey(name)}:`, after];
};

/** A record's member names sorted, quoted, and how many sort before `name` (which is left out). */
type Shape = { keys: string[]; name: string; sorted: string[]; quoted: string[]; split: number };
/** The last shape seen: records of one kind (an event's metadata) come with their names in one order. */
let lastShape: Shape | undefined;

const shapeAround = (keys: string[], name: string): Shape => {
  const last = lastShape;
  if (last && last.name === name && last.keys.length === keys.length) {
    let same = true;
    for (let i = 0; i < keys.length && same; i += 1) same = keys[i] === last.keys[i];
    if (same) return last;
  }
  const sorted = sortKeys(keys.filter((key) => key !== name));
  const shape = { keys, name, sorted, quoted: sorted.map(quoteKey), split: sorted.filter((key) => key < name).length };
  lastShape = shape;
  return shape;
};

/** A string with nothing JSON.stringify would escape: no control character, quote, backslash or surrogate. */
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const PLAIN_STRING = /^[^\u0000-\u001f"\\\ud800-\udfff]*$/;

/**
 * JSON.stringify(text), for a string: quoted as it is when nothing in it needs escaping (the usual
 * case, and a third of JSON.stringify's time), else by JSON.stringify.
 */
export const jsonString = (text: string): string => (PLAIN_STRING.test(text) ? `"${text}"` : JSON.stringify(text));

/** Sorts in place by UTF-16 code units (what `<` and the default sort compare). */
const sortKeys = (keys: string[]): string[] => {
  // an insertion sort: events' objects have a handful of keys, often in order already, where
  // Array.prototype.sort's set-up costs more than the sorting
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i += 1) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && key < (keys[j] as string)) {
      keys[j + 1] = keys[j] as string;
      j -= 1;
    }
    keys[j + 1] = key;
  }
  return keys;
};

/** Member names recur from event to event: each is quoted once (a bounded cache). */
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_MAX = 10_000;

const quoteKey = (key: string): string => {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = jsonString(key);
    if (quotedKeys.size < QUOTED_KEYS_MAX) quotedKeys.set(key, quoted);
  }
  return quoted;
};
