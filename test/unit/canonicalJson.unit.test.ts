import { expect } from 'chai';
import { canonicalAround, canonicalJson, jsonString } from '../../src/lib/canonicalJson';

describe('canonical JSON (RFC 8785)', () => {
  it('sorts members at every depth and drops white space', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).to.equal(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same text for the same value whatever the key order', () => {
    expect(canonicalJson({ x: 1, y: 'é', z: [true] })).to.equal(canonicalJson({ z: [true], y: 'é', x: 1 }));
  });

  it('writes numbers as ECMAScript does and sorts keys by UTF-16 code units', () => {
    expect(canonicalJson([1e21, 0.1, -0, 100])).to.equal('[1e+21,0.1,0,100]');
    expect(canonicalJson({ '\u20ac': 1, '\r': 2, '1': 3, a: 4 })).to.equal('{"\\r":2,"1":3,"a":4,"€":1}');
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${(i * 7) % 40}`, i]));
    const sorted = Object.keys(many).sort();
    expect(canonicalJson(many)).to.equal(`{${sorted.map((k) => `"${k}":${many[k]}`).join(',')}}`);
    expect(canonicalJson({ b: 1, '10': 2, '9': 3, 'a"\\': 4 })).to.equal('{"10":2,"9":3,"a\\"\\\\":4,"b":1}');
  });

  it('omits undefined members and refuses values JSON cannot carry', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).to.equal('{"b":2}');
    expect(() => canonicalJson({ a: Number.NaN })).to.throw(TypeError);
    expect(() => canonicalJson({ a: () => 1 })).to.throw(TypeError);
  });

  it('quotes every string exactly as JSON.stringify does', () => {
    // every UTF-16 code unit alone, after text and before text, then pairs and lone halves of surrogates
    for (let unit = 0; unit <= 0xffff; unit += 1) {
      const char = String.fromCharCode(unit);
      for (const text of [char, `ab${char}`, `${char}cd`]) expect(jsonString(text)).to.equal(JSON.stringify(text));
    }
    for (const text of ['', 'plain', '😀', 'a\ud83d', '\ude00b', 'tab\tquote"back\\slash', '\u2028\u2029', '\u007f'])
      expect(jsonString(text)).to.equal(JSON.stringify(text));
  });

  it('splits an object’s canonical text around a member added later, wherever it sorts', () => {
    const record = { occurredAt: 't', actor: 'a"b', source: 'api', schemaVersion: 2, skipped: undefined };
    for (const name of ['prevHash', 'aaa', 'zzz', 'actor', '10']) {
      for (const value of ['x', 7, { nested: [1] }]) {
        const [before, after] = canonicalAround(record, name);
        expect(`${before}${canonicalJson(value)}${after}}`).to.equal(canonicalJson({ ...record, [name]: value }));
      }
    }
    expect(canonicalAround({}, 'prevHash')).to.deep.equal(['{"prevHash":', '']);
    // records of other names, or the same names in another order, one after another
    const records = [
      { b: 1, a: 2 },
      { a: 2, b: 1 },
      { b: 1, c: 3 },
      { b: 1, a: 2, prevHash: 'x' },
      { z: 0, a: 1 },
    ];
    for (const one of [...records, ...records.reverse()]) {
      const [before, after] = canonicalAround(one, 'prevHash');
      expect(`${before}"h"${after}}`).to.equal(canonicalJson({ ...one, prevHash: 'h' }));
    }
  });
});
