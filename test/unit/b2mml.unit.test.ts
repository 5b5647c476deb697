import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseSchedule, scheduleRequests } from '../../src/adapters/erp/b2mml';
import type { ScheduledOrder, ScheduledRequest, UnreadableRequest } from '../../src/app/integrationImports';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { ValidationError } from '../../src/domain/errors';
import { v0600Violations } from '../fixtures/b2mml/v0600';

const schemas = loadSchemaRegistry();
const fixture = (name: string) => readFileSync(resolve(__dirname, '../fixtures/b2mml', name), 'utf8');
const xml = fixture('schedule.xml');
const oneBad = fixture('schedule-one-bad.xml');
const read = (document: unknown, type = 'application/xml'): ScheduledRequest[] =>
  scheduleRequests(parseSchedule(document, type), schemas);
const order = (r: ScheduledRequest | undefined): ScheduledOrder => {
  if (!r || 'problems' in r) throw new Error(`expected an order, got ${JSON.stringify(r)}`);
  return r;
};
const unreadable = (r: ScheduledRequest | undefined): UnreadableRequest => {
  if (!r || !('problems' in r)) throw new Error(`expected a refusal, got ${JSON.stringify(r)}`);
  return r;
};
const refusal = (run: () => unknown): ValidationError => {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
};
/** A schedule of one request whose inside is given, in V0600 order. */
const oneRequest = (inside: string) =>
  `<ProductionSchedule xmlns="http://www.mesa.org/xml/B2MML-V0600"><ProductionRequest>${inside}</ProductionRequest></ProductionSchedule>`;
const produced = (material: string, quantity: string, unit = '') =>
  `<MaterialRequirement><MaterialDefinitionID>${material}</MaterialDefinitionID><MaterialUse>Produced</MaterialUse><Quantity><QuantityString>${quantity}</QuantityString>${unit ? `<UnitOfMeasure>${unit}</UnitOfMeasure>` : ''}</Quantity></MaterialRequirement>`;
/** Words that are the order's internal field names: a refusal names B2MML elements instead. */
const FIELD_NAMES = /\b(orderId|product|dueDate|earliestStart|routing|operations|workCenter|quantityPerUnit|spec)\b/;

describe('B2MML V0600 production schedules', () => {
  it('has fixtures in the element order of the V0600 schema’s types, in its namespace', () => {
    expect(v0600Violations(xml)).to.deep.equal([]);
    expect(v0600Violations(oneBad)).to.deep.equal([]);
    // the checker can fail: EndTime before StartTime, and a MaterialRequirement on the request
    const swapped = xml.replace(
      '<StartTime>2026-11-26T08:00:00+08:00</StartTime>\n    <EndTime>2026-11-28T17:00:00+08:00</EndTime>',
      '<EndTime>2026-11-28T17:00:00+08:00</EndTime>\n    <StartTime>2026-11-26T08:00:00+08:00</StartTime>',
    );
    expect(v0600Violations(swapped)).to.deep.equal([
      'ProductionSchedule/ProductionRequest/StartTime: comes after EndTime in ProductionRequest',
    ]);
    expect(v0600Violations(xml.replace('B2MML-V0600', 'B2MML'))[0]).to.match(/namespace/);
    expect(v0600Violations(oneRequest(`<ID>1</ID>${produced('X', '1')}`))).to.deep.equal([
      'ProductionSchedule/ProductionRequest/MaterialRequirement: not an element of ProductionRequest',
    ]);
  });

  it('maps a request as V0600 writes it: StartTime/EndTime, segment materials, ValueString parameters, escapes decoded', () => {
    const [request] = read(xml);
    const { orderId, path, spec } = order(request);
    expect([orderId, path]).to.deep.equal(['ERP-1001', 'ProductionSchedule/ProductionRequest[1]']);
    expect(spec).to.deep.include({
      product: 'MOTOR-5KW',
      quantity: 50,
      unit: 'pcs',
      customer: 'ACME Motors & Drives',
      priority: 2,
      dueDate: '2026-11-28T17:00:00+08:00',
      earliestStart: '2026-11-26T08:00:00+08:00',
      source: 'erp',
      erpRequestId: 'ERP-1001',
    });
    // 5 h over 50 units is 6 min a unit; 100 kg of wire over 50 motors is 2 kg a motor
    expect(spec.routing?.operations).to.deep.equal([
      {
        operationId: '010',
        code: 'WIND',
        workCenter: 'WC-WIND',
        standardMinutesPerUnit: 6,
        setupMinutes: 0,
        inspectionRequired: false,
        materials: [{ material: 'CU-WIRE', quantityPerUnit: 2, unit: 'kg' }],
      },
      {
        operationId: '020',
        code: 'TEST',
        workCenter: 'WC-TEST',
        standardMinutesPerUnit: 1,
        setupMinutes: 0,
        inspectionRequired: true,
        materials: [],
      },
    ]);
  });

  it('plans by product when no segment names a process segment; the unit then comes from master data', () => {
    const [request] = read(
      oneRequest(
        `<ID>ERP-2</ID><EndTime>2026-12-01T00:00:00Z</EndTime><SegmentRequirement><ID>1</ID>${produced('SHAFT', '5')}</SegmentRequirement>`,
      ),
    );
    const { spec } = order(request);
    expect(spec).to.deep.include({ product: 'SHAFT', quantity: 5, priority: 5, customer: 'ERP' });
    expect(spec.unit, 'no UnitOfMeasure: the product’s unit').to.equal(undefined);
    expect(spec.routing).to.equal(undefined);
  });

  it('holds an ERP priority to 1 to 9', () => {
    const priority = (p: string) =>
      order(read(xml.replace('<Priority>2</Priority>', `<Priority>${p}</Priority>`))[0]).spec.priority;
    expect([priority('0'), priority('1'), priority('9'), priority('50')]).to.deep.equal([1, 1, 9, 9]);
  });

  it('takes segment times when the request has none, comparing instants across offsets', () => {
    // 17:00+08:00 is 09:00Z, earlier than 12:00Z although its text sorts later
    const [request] = read(
      oneRequest(
        '<ID>ERP-3</ID>' +
          '<SegmentRequirement><ID>010</ID><ProcessSegmentID>CUT</ProcessSegmentID><EarliestStartTime>2026-11-28T07:00:00Z</EarliestStartTime><LatestEndTime>2026-11-28T12:00:00Z</LatestEndTime><EquipmentRequirement><EquipmentID>WC-1</EquipmentID></EquipmentRequirement></SegmentRequirement>' +
          `<SegmentRequirement><ID>020</ID><ProcessSegmentID>PACK</ProcessSegmentID><EarliestStartTime>2026-11-28T14:00:00+08:00</EarliestStartTime><LatestEndTime>2026-11-28T17:00:00+08:00</LatestEndTime><EquipmentRequirement><EquipmentID>WC-2</EquipmentID></EquipmentRequirement>${produced('BOX', '4', 'pcs')}</SegmentRequirement>`,
      ),
    );
    expect(order(request).spec).to.deep.include({
      earliestStart: '2026-11-28T14:00:00+08:00',
      dueDate: '2026-11-28T12:00:00Z',
    });
  });

  it('reads SegmentParameter (the Operations form) in the Value/ValueString shape, and refuses a bare Value text', () => {
    const segment = (parameter: string) =>
      oneRequest(
        `<ID>ERP-4</ID><EndTime>2026-12-01T00:00:00Z</EndTime><SegmentRequirement><ID>010</ID><ProcessSegmentID>TEST</ProcessSegmentID>${parameter}<EquipmentRequirement><EquipmentID>WC-T</EquipmentID></EquipmentRequirement>${produced('M', '2', 'pcs')}</SegmentRequirement>`,
      );
    const standard = read(
      segment(
        '<SegmentParameter><ID>InspectionRequired</ID><Value><ValueString>1</ValueString></Value></SegmentParameter>',
      ),
    );
    expect(order(standard[0]).spec.routing?.operations[0]?.inspectionRequired).to.equal(true);
    const bare = read(segment('<SegmentParameter><ID>InspectionRequired</ID><Value>true</Value></SegmentParameter>'));
    expect(unreadable(bare[0]).problems.map((p) => p.path)).to.deep.equal([
      'ProductionSchedule/ProductionRequest[1]/SegmentRequirement[1]/SegmentParameter[1]/Value/ValueString',
    ]);
    const notBoolean = read(
      segment(
        '<ProductionParameter><Parameter><ID>InspectionRequired</ID><Value><ValueString>maybe</ValueString></Value></Parameter></ProductionParameter>',
      ),
    );
    expect(unreadable(notBoolean[0]).problems).to.deep.equal([
      {
        path: 'ProductionSchedule/ProductionRequest[1]/SegmentRequirement[1]/ProductionParameter[1]/Parameter/Value/ValueString',
        message: 'must be true or false, not "maybe"',
      },
    ]);
  });

  it('refuses the request-level shapes V0600 does not have, naming the elements it needs instead', () => {
    const old = oneRequest(
      `<ID>ERP-5</ID><EarliestStartTime>2026-11-26T08:00:00Z</EarliestStartTime><LatestEndTime>2026-11-28T17:00:00Z</LatestEndTime>${produced('SHAFT', '5', 'pcs')}`,
    );
    expect(unreadable(read(old)[0]).problems.map((p) => p.path)).to.deep.equal([
      'ProductionSchedule/ProductionRequest[1]/SegmentRequirement',
      'ProductionSchedule/ProductionRequest[1]/EndTime',
    ]);
  });

  it('reads each request on its own: the good ones are orders, the bad one its problems, each once, by element', () => {
    const requests = read(oneBad);
    expect(requests.map((r) => r.orderId)).to.deep.equal(['ERP-2001', 'ERP-2002', 'ERP-2003']);
    expect(order(requests[0]).spec).to.deep.include({ product: 'SHAFT-20', quantity: 20, customer: 'Nordic Pumps' });
    expect(order(requests[2]).spec).to.deep.include({ product: 'FLANGE-8', customer: 'R&D workshop', priority: 5 });
    const bad = unreadable(requests[1]);
    expect(bad.path).to.equal('ProductionSchedule/ProductionRequest[2]');
    expect(bad.problems).to.deep.equal([
      {
        path: 'ProductionSchedule/ProductionRequest[2]/SegmentRequirement[1]/MaterialRequirement[1]/Quantity/QuantityString',
        message: 'must be a number above 0, not "twenty"',
      },
      {
        path: 'ProductionSchedule/ProductionRequest[2]/EndTime',
        message: 'is required (or LatestEndTime on its SegmentRequirements): it is the due date',
      },
    ]);
    expect(bad.problems.map((p) => p.message).join(' ')).not.to.match(FIELD_NAMES);
  });

  it('names the element of what the order schema refuses, once each, without field names', () => {
    const bad = xml
      .replace('<ID>ERP-1001</ID>', '<ID>ERP 1001 ?</ID>')
      .replace('<EndTime>2026-11-28T17:00:00+08:00</EndTime>', '<EndTime>Friday</EndTime>')
      .replace('<Priority>2</Priority>', '<Priority>urgent</Priority>')
      .replace('<EquipmentID>WC-TEST</EquipmentID>', '<EquipmentID>WC TEST</EquipmentID>')
      .replace('<Duration>PT5H</Duration>', '<Duration>5 hours</Duration>');
    const { problems } = unreadable(read(bad)[0]);
    const at = (p: string) => `ProductionSchedule/ProductionRequest[1]/${p}`;
    expect(problems.map((p) => p.path)).to.have.members([
      at('ID'),
      at('EndTime'),
      at('Priority'),
      at('SegmentRequirement[1]/Duration'),
      at('SegmentRequirement[2]/EquipmentRequirement[1]/EquipmentID'),
    ]);
    expect(problems.map((p) => p.message).join(' ')).not.to.match(FIELD_NAMES);
    expect(problems.find((p) => p.path === at('EndTime'))?.message).to.equal('must match format "date-time"');
  });

  it('refuses a second request with the same ID and segments without a work center or a consumed unit', () => {
    const twice = xml.replace(
      '</ProductionRequest>',
      '</ProductionRequest>' + /<ProductionRequest>[\s\S]*<\/ProductionRequest>/.exec(xml)![0],
    );
    const requests = read(twice);
    order(requests[0]);
    expect(unreadable(requests[1]).problems).to.deep.equal([
      {
        path: 'ProductionSchedule/ProductionRequest[2]/ID',
        message: 'repeats the ID of ProductionSchedule/ProductionRequest[1]: one request per order in a schedule',
      },
    ]);
    const loose = xml
      .replace(
        '<EquipmentRequirement>\n        <EquipmentClassID>WC-WIND</EquipmentClassID>\n      </EquipmentRequirement>',
        '',
      )
      .replace('<UnitOfMeasure>kg</UnitOfMeasure>', '');
    expect(unreadable(read(loose)[0]).problems.map((p) => p.path)).to.deep.equal([
      'ProductionSchedule/ProductionRequest[1]/SegmentRequirement[1]/EquipmentRequirement',
      'ProductionSchedule/ProductionRequest[1]/SegmentRequirement[1]/MaterialRequirement[1]/Quantity/UnitOfMeasure',
    ]);
  });

  it('decodes XML references once (&amp;lt; stays &lt;), keeps CDATA literal, and refuses entities XML does not define', () => {
    const described = (description: string) =>
      order(read(xml.replace('ACME Motors &amp; Drives', description))[0]).spec.customer;
    expect(described('A &lt;B&gt; &quot;C&quot; &apos;D&apos; &#x4E2D;&#25991;')).to.equal(`A <B> "C" 'D' 中文`);
    expect(described('R&amp;lt;D')).to.equal('R&lt;D');
    expect(described('<![CDATA[R&amp;D <x>]]>')).to.equal('R&amp;D <x>');
    expect(refusal(() => read(xml.replace('ACME Motors &amp; Drives', 'ACME&nbsp;Motors'))).message).to.match(
      /entity XML does not define: &nbsp;/,
    );
  });

  it('reads the JSON rendering the same as the XML', () => {
    const quantity = (n: number, unit: string) => ({ QuantityString: n, DataType: 'double', UnitOfMeasure: unit });
    const json = {
      ProductionSchedule: {
        ID: 'SCH-2026-11-25',
        ProductionRequest: {
          ID: 'ERP-1001',
          Description: 'ACME Motors & Drives',
          ProductProductionRuleID: 'MOTOR-5KW',
          StartTime: '2026-11-26T08:00:00+08:00',
          EndTime: '2026-11-28T17:00:00+08:00',
          Priority: 2,
          SegmentRequirement: [
            {
              ID: '010',
              ProcessSegmentID: 'WIND',
              Duration: 'PT5H',
              EquipmentRequirement: { EquipmentClassID: 'WC-WIND' },
              MaterialRequirement: {
                MaterialDefinitionID: 'CU-WIRE',
                MaterialUse: 'Consumed',
                Quantity: quantity(100, 'kg'),
              },
            },
            {
              ID: '020',
              ProcessSegmentID: 'TEST',
              Duration: 'PT50M',
              ProductionParameter: {
                Parameter: { ID: 'InspectionRequired', Value: [{ ValueString: 'true', DataType: 'boolean' }] },
              },
              EquipmentRequirement: [{ EquipmentID: 'WC-TEST' }],
              MaterialRequirement: [
                { MaterialDefinitionID: 'MOTOR-5KW', MaterialUse: 'Produced', Quantity: [quantity(50, 'pcs')] },
              ],
            },
          ],
        },
      },
    };
    expect(read(json, 'application/json')).to.deep.equal(read(xml));
    expect(schemas.check('erp/productionSchedule', json), 'the documented JSON schema takes it').to.deep.equal([]);
  });

  it('refuses a DTD and entity declarations (XXE) before parsing anything', () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><ProductionSchedule><ProductionRequest><ID>&x;</ID></ProductionRequest></ProductionSchedule>';
    expect(refusal(() => parseSchedule(xxe, 'application/xml')).message).to.match(
      /DTDs and entity declarations are refused/,
    );
  });

  it('refuses documents nested deeper than any schedule, as XML or JSON', () => {
    expect(
      refusal(() => parseSchedule(`${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}`, 'application/xml')).message,
    ).to.match(/nested deeper/);
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i += 1) deep = { a: deep };
    expect(refusal(() => parseSchedule(deep, 'application/json')).message).to.match(/nested deeper/);
    expect(read(xml)).to.have.length(1);
  });

  it('refuses a document that does not parse, with where it breaks, and one that is no schedule', () => {
    const broken = refusal(() =>
      parseSchedule('<ProductionSchedule><ProductionRequest><ID>1</ProductionRequest>', 'application/xml'),
    );
    expect(broken.problems[0]?.path).to.match(/^\/line 1\/column \d+$/);
    expect(refusal(() => read('<ProductionSchedule><ID>x</ID></ProductionSchedule>')).problems).to.deep.equal([
      { path: 'ProductionSchedule/ProductionRequest', message: 'is required' },
    ]);
    expect(refusal(() => read('<ProductionPerformance><ID>x</ID></ProductionPerformance>')).message).to.match(
      /not a ProductionSchedule \(its root is ProductionPerformance\)/,
    );
  });
});

describe('B2MML input that attacks the parser', () => {
  it('refuses 1 MiB of unterminated `<a` and of 200,000 nested elements in one linear pass (it once took seconds per 160 KB)', () => {
    const started = process.hrtime.bigint();
    expect(() => parseSchedule('<a'.repeat(512 * 1024), 'application/xml')).to.throw(ValidationError);
    const nested = `${'<a>'.repeat(200_000)}${'</a>'.repeat(200_000)}`;
    expect(() => parseSchedule(nested, 'application/xml')).to.throw(ValidationError, /nested deeper than 32/);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // the quadratic scan needed minutes for this; a linear one needs milliseconds (bounded loosely: shared machines)
    expect(ms, `${ms.toFixed(1)} ms`).to.be.below(2_000);
  });
});
