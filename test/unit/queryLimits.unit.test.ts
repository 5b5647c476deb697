import { expect } from 'chai';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';

describe('query bounds', () => {
  const schemas = loadSchemaRegistry();
  const withLimit = schemas
    .keys()
    .filter((key) => key.startsWith('queries/'))
    .filter((key) => 'limit' in ((schemas.schema(key)?.['properties'] as Record<string, unknown> | undefined) ?? {}));

  it('every query with a limit takes 1 to 1000 and refuses 0, 1001 and 5000 naming limit', () => {
    // those that take one today: lists, WIP orders, master-data lists, the security trail, a control chart's
    // points, a correlation's events
    expect(withLimit).to.have.members([
      'queries/correlation',
      'queries/list',
      'queries/orders',
      'queries/masterList',
      'queries/securityEvents',
      'queries/spcChart',
    ]);
    for (const key of withLimit) {
      for (const limit of ['1', '100', '999', '1000'])
        expect(schemas.check(key, { limit }), `${key} ${limit}`).to.deep.equal([]);
      for (const limit of ['0', '1001', '5000', '0100', '-1']) {
        const problems = schemas.check(key, { limit });
        expect(
          problems.map((p) => p.path),
          `${key} ${limit}`,
        ).to.deep.equal(['/limit']);
      }
    }
  });
});
