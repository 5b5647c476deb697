/** A schema document of the registry: its key (`events/OrderPlanned.v1`) and its JSON. */
export type SchemaDocument = { key: string; schema: Record<string, unknown> };

/** A named type: the whole schema of a file (`def` undefined) or one of its `$defs`. */
export type TypeRef = {
  /** What a `$ref` resolves to: `<key>#` or `<key>#/$defs/<def>`. */
  target: string;
  name: string;
  /** The folder under schemas/, which is the generated file. */
  folder: string;
  key: string;
  def?: string;
};

const pascal = (text: string): string =>
  text.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_match, _sep: string, c: string) => c.toUpperCase());

const EVENT_FILE = /^([A-Z][A-Za-z0-9]+)\.v(\d+)$/;

/** How a file's type is named, by folder; a folder not listed prefixes its own name. */
const ROOT_NAMES: Record<string, (file: string) => string> = {
  events: (file) => {
    const match = EVENT_FILE.exec(file);
    if (!match) throw new Error(`schemas/events/${file}.json: an event schema is named <Type>.v<version>.json`);
    return `${match[1]}V${match[2]}`;
  },
  commands: (file) => `${pascal(file)}Body`,
  queries: (file) => `${pascal(file)}Query`,
  devices: (file) => `Device${pascal(file)}Message`,
  common: (file) => pascal(file),
};

/** Keywords that make a schema describe a value (a file with only `$defs` is a library of types, not a type). */
const SHAPING = ['type', 'properties', 'oneOf', 'anyOf', 'allOf', 'enum', 'const', '$ref', 'items'];

/** The named types a schema file gives: its own (if it describes a value) and one per `$defs` entry. */
export const typeNameOf = ({ key, schema }: SchemaDocument): TypeRef[] => {
  const [folder = '', ...rest] = key.split('/');
  const file = rest.join('/');
  const root = (ROOT_NAMES[folder] ?? ((f: string) => `${pascal(folder)}${pascal(f)}`))(file);
  const defs = Object.keys((schema['$defs'] as Record<string, unknown> | undefined) ?? {});
  // the shared definitions keep their own names: Id, DateTime, OrderSpec...
  const defName = (def: string): string => (key === 'common/defs' ? pascal(def) : `${root}${pascal(def)}`);
  return [
    ...(SHAPING.some((k) => k in schema) ? [{ target: `${key}#`, name: root, folder, key }] : []),
    ...defs.map((def) => ({ target: `${key}#/$defs/${def}`, name: defName(def), folder, key, def })),
  ];
};
