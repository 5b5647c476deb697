import { expect } from 'chai';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SCHEMA_ROOT, loadSchemaRegistry, SCHEMA_BASE } from '../../src/app/schemaRegistry';
import { GENERATED_DIR, staleFiles } from '../../scripts/generateTypes';
import { generateTypes } from '../../scripts/typeGenerator';
import { makeTempDir } from '../support/tmp';

const schema = (key: string, body: Record<string, unknown>) => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: `${SCHEMA_BASE}${key}.json`,
  ...body,
});

describe('types generated from schemas/ (src/domain/generated)', function () {
  this.timeout(30_000);
  const temp = makeTempDir('mes-types-');
  after(() => temp.remove());

  it('are what schemas/ says now: run `npm run types` after changing a schema', async () => {
    const generated = await generateTypes(loadSchemaRegistry(), GENERATED_DIR);
    const stale = staleFiles(generated, GENERATED_DIR);
    expect(stale, `stale in src/domain/generated: ${stale.join(', ')}; run \`npm run types\``).to.deep.equal([]);
  });

  it('change with a schema, so a renamed field makes the committed files stale', async () => {
    const root = join(temp.dir, 'renamed');
    cpSync(DEFAULT_SCHEMA_ROOT, root, { recursive: true });
    const file = join(root, 'events/OperationCompleted.v1.json');
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('"workCenter"', '"workCentre"'));
    const generated = await generateTypes(loadSchemaRegistry([root]), GENERATED_DIR);
    expect(staleFiles(generated, GENERATED_DIR)).to.deep.equal(['events.ts']);
    expect(generated.get('events.ts')).to.match(/export type OperationCompletedV1 = \{[^}]*workCentre: Id;/);
  });

  it('pick up every schema file, in a known folder or a new one, with shared definitions by name', async () => {
    const root = join(temp.dir, 'added');
    mkdirSync(join(root, 'events'), { recursive: true });
    mkdirSync(join(root, 'masterData'), { recursive: true });
    const ref = (def: string) => ({ $ref: `../common/defs.json#/$defs/${def}` });
    const product = { type: 'object', required: ['code'], properties: { code: ref('id'), routing: ref('routing') } };
    writeFileSync(
      join(root, 'events/ProductDefined.v2.json'),
      JSON.stringify(schema('events/ProductDefined.v2', product)),
    );
    writeFileSync(join(root, 'masterData/product.json'), JSON.stringify(schema('masterData/product', product)));
    const generated = await generateTypes(loadSchemaRegistry([DEFAULT_SCHEMA_ROOT, root]), GENERATED_DIR);
    expect(generated.get('events.ts')).to.include('export type ProductDefinedV2 = {');
    expect(generated.get('events.ts')).to.include('ProductDefined: ProductDefinedV2;');
    const masterData = generated.get('masterData.ts') ?? '';
    expect(masterData).to.include("import type { Id, Routing } from './common';");
    expect(masterData).to.match(/export type MasterDataProduct = \{\s+code: Id;\s+routing\?: Routing;/);
    expect(generated.get('index.ts')).to.include("'masterData/product': MasterDataProduct;");
    expect(staleFiles(generated, GENERATED_DIR)).to.deep.equal(['events.ts', 'index.ts', 'masterData.ts']);
  });
});
