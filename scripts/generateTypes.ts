// npm run types
// Writes src/domain/generated/ from schemas/: the TypeScript types of events, commands, devices, WMS
// messages, queries and configuration. A unit test fails when the committed files are stale.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadSchemaRegistry } from '../src/app/schemaRegistry';
import { generateTypes } from './typeGenerator';

export const GENERATED_DIR = resolve(__dirname, '../src/domain/generated');

/** The files of `dir` that differ from `generated`: changed, missing, or left over from a removed folder. */
export const staleFiles = (generated: ReadonlyMap<string, string>, dir: string): string[] => {
  const present = existsSync(dir) ? readdirSync(dir) : [];
  const changed = [...generated].filter(
    ([name, content]) => !present.includes(name) || readFileSync(join(dir, name), 'utf8') !== content,
  );
  return [...changed.map(([name]) => name), ...present.filter((name) => !generated.has(name))].sort();
};

const main = async (): Promise<void> => {
  const files = await generateTypes(loadSchemaRegistry(), GENERATED_DIR);
  mkdirSync(GENERATED_DIR, { recursive: true });
  // a folder of schemas/ that went away takes its file with it
  for (const name of readdirSync(GENERATED_DIR)) if (!files.has(name)) rmSync(join(GENERATED_DIR, name));
  for (const [name, content] of files) writeFileSync(join(GENERATED_DIR, name), content);
  console.log(`wrote ${[...files.keys()].join(', ')} in ${GENERATED_DIR}`);
};

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
