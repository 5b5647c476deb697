import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SCHEMA_ROOT, loadSchemaRegistry, SCHEMA_BASE } from '../../src/app/schemaRegistry';
import { ValidationError } from '../../src/domain/errors';
import { FIXTURE_SCHEMAS } from '../support/events';
import { makeTempDir } from '../support/tmp';

describe('schema registry', () => {
  const registry = loadSchemaRegistry([DEFAULT_SCHEMA_ROOT, FIXTURE_SCHEMAS]);

  it('compiles every schema under schemas/ at start', () => {
    const own = loadSchemaRegistry();
    expect(own.keys()).to.include.members(['common/eventMetadata', 'common/eventEnvelope']);
  });

  it('knows each event type’s versions from the file names', () => {
    expect(registry.eventVersions('TestLabelled')).to.deep.equal([1, 2]);
    expect(registry.eventTypes()).to.include.members(['TestCounted', 'TestLabelled']);
    expect(registry.eventVersions('Nothing')).to.deep.equal([]);
  });

  it('names the missing, extra and mistyped fields as JSON pointers', () => {
    expect(registry.check('events/TestCounted.v1', { n: 1 })).to.deep.equal([]);
    expect(registry.check('events/TestCounted.v1', {})).to.deep.equal([
      { path: '/n', message: "must have required property 'n'" },
    ]);
    expect(registry.check('events/TestCounted.v1', { n: 1, x: 2 })).to.deep.equal([
      { path: '/x', message: 'is not allowed' },
    ]);
    expect(registry.check('events/TestCounted.v1', { n: -1 })).to.deep.equal([{ path: '/n', message: 'must be >= 0' }]);
  });

  it('throws a ValidationError carrying every problem, prefixed', () => {
    try {
      registry.assert('events/TestCounted.v1', { n: 'x', y: 1 }, 'event', '/data');
      expect.fail('should throw');
    } catch (error) {
      expect(error).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).problems.map((p) => p.path).sort()).to.deep.equal(['/data/n', '/data/y']);
    }
  });

  it('refuses at start a schema whose $id does not match its path', () => {
    const temp = makeTempDir('mes-schemas-');
    mkdirSync(join(temp.dir, 'events'));
    writeFileSync(
      join(temp.dir, 'events', 'Bad.v1.json'),
      JSON.stringify({ $id: `${SCHEMA_BASE}events/Other.v1.json` }),
    );
    expect(() => loadSchemaRegistry([temp.dir])).to.throw(/\$id must be/);
    temp.remove();
  });
});
