import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fullFormats } from 'ajv-formats/dist/formats';
import { DEFAULT_SCHEMA_ROOT, isPlainDateTime, loadSchemaRegistry, SCHEMA_BASE } from '../../src/app/schemaRegistry';
import { ValidationError } from '../../src/domain/errors';
import { FIXTURE_SCHEMAS, meta } from '../support/events';
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

  it('says valid or not without building problems, agreeing with check', () => {
    expect(registry.valid('events/TestCounted.v1', { n: 1 })).to.equal(true);
    expect(registry.valid('events/TestCounted.v1', { n: -1 })).to.equal(false);
    expect(() => registry.valid('events/Nothing.v1', {})).to.throw(/no schema/);
  });

  describe('date-time', () => {
    const fullDateTime = (fullFormats['date-time'] as { validate: (text: string) => boolean }).validate;
    const verdict = (occurredAt: string) => registry.check('common/eventMetadata', meta({ occurredAt }));
    const refused = [{ path: '/occurredAt', message: 'must match format "date-time"' }];

    it('reads the forms the server and clients write without ajv-formats’ regular expressions', () => {
      // the server's own toISOString form, at a fixed instant: a fraction of second 59 is left to the
      // full check by design (ajv-formats rounds it to 60), so the clock's time failed this once a minute
      const serverWrites = new Date(Date.UTC(2026, 10, 30, 8, 15, 30, 123)).toISOString();
      for (const text of [serverWrites, '2026-11-25T08:00:00+08:00', '2024-02-29T23:59:58.5-05:30']) {
        expect(isPlainDateTime(text), text).to.equal(true);
      }
    });

    it('accepts and refuses exactly what ajv-formats’ full date-time check does', () => {
      const edges = [
        '2026-02-29T08:00:00Z', // not a leap year
        '2000-02-29T08:00:00Z',
        '1900-02-29T08:00:00Z',
        '2026-04-31T08:00:00Z',
        '2026-11-25T24:00:00Z',
        '2026-11-25T08:60:00Z',
        '2026-11-25T08:00:60Z',
        '2026-12-31T23:59:60Z', // a leap second
        '2026-12-31T23:59:60.5+00:00',
        '2027-01-01T07:59:60+08:00',
        '2026-11-25T08:00:59.99999999999999999Z', // read as 60 seconds
        '2026-11-25T08:00:00.Z',
        '2026-11-25t08:00:00z',
        '2026-11-25 08:00:00+0800',
        '2026-11-25T08:00:00+08',
        '2026-11-25T08:00:00+24:00',
        '2026-11-25T08:00:00+08:60',
        '2026-11-25T08:00:00',
        '2026-11-25T08:00:00ZT',
        '2026-11-25T08:00:00\u00a0',
        '2026-11-25\u3000 08:00:00Z',
        '２026-11-25T08:00:00Z',
      ];
      // the edges, then random edits of them and of well-formed strings
      const alphabet = '0123456789-:.+TtZz \u00a0\u3000x';
      const pick = <T>(items: ArrayLike<T>): T => items[Math.floor(Math.random() * items.length)] as T;
      const edit = (text: string): string => {
        const at = Math.floor(Math.random() * (text.length + 1));
        const kind = Math.floor(Math.random() * 3);
        if (kind === 0) return text.slice(0, at) + pick(alphabet) + text.slice(at + 1);
        if (kind === 1) return text.slice(0, at) + pick(alphabet) + text.slice(at);
        return text.slice(0, at) + text.slice(at + 1);
      };
      const two = (limit: number) => String(Math.floor(Math.random() * limit)).padStart(2, '0');
      const wellFormed = () =>
        `${pick('12')}${pick('0189')}${two(100)}-${two(14)}-${two(33)}T${two(26)}:${two(62)}:${two(62)}` +
        `${pick(['', '.5', '.999', '.99999999999999999'])}` +
        `${pick(['Z', '+08:00', '-05:30', `+${two(26)}:${two(62)}`])}`;
      const samples = [...edges];
      for (let i = 0; i < 20000; i += 1) {
        const base = i % 2 === 0 ? wellFormed() : pick(edges);
        samples.push(i % 3 === 0 ? base : edit(i % 5 === 0 ? edit(base) : base));
      }
      for (const text of samples) {
        if (isPlainDateTime(text)) expect(fullDateTime(text), text).to.equal(true);
        expect(verdict(text), text).to.deep.equal(fullDateTime(text) ? [] : refused);
      }
    });
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
