import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseSchedule, scheduleToOrders } from '../../src/adapters/erp/b2mml';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { ValidationError } from '../../src/domain/errors';

const schemas = loadSchemaRegistry();
const xml = readFileSync(resolve(__dirname, '../fixtures/b2mml/schedule.xml'), 'utf8');
const refusal = (run: () => unknown): ValidationError => {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('B2MML V0600 production schedules', () => {
  it('maps a ProductionRequest with every optional element to an order', () => {
    const [order] = scheduleToOrders(parseSchedule(xml, 'application/xml'), schemas);
    expect(order?.orderId).to.equal('ERP-1001');
    expect(order?.spec).to.deep.include({
      product: 'MOTOR-5KW',
      quantity: 50,
      unit: 'pcs',
      customer: 'ACME Motors',
      priority: 2,
      dueDate: '2026-11-28T17:00:00+08:00',
      earliestStart: '2026-11-26T08:00:00+08:00',
      source: 'erp',
      erpRequestId: 'ERP-1001',
    });
    expect(order?.spec.routing?.operations).to.deep.equal([
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

  it('maps a minimal request (no segments, times on the request, default priority)', () => {
    const minimal =
      '<ProductionSchedule><ProductionRequest><ID>ERP-2</ID><ProductProductionRuleID>SHAFT</ProductProductionRuleID><LatestEndTime>2026-12-01T00:00:00Z</LatestEndTime><MaterialRequirement><MaterialUse>Produced</MaterialUse><Quantity><QuantityString>5</QuantityString></Quantity></MaterialRequirement></ProductionRequest></ProductionSchedule>';
    const [order] = scheduleToOrders(parseSchedule(minimal, 'application/xml'), schemas);
    expect(order?.spec).to.deep.include({ product: 'SHAFT', quantity: 5, unit: 'pcs', priority: 5, customer: 'ERP' });
    expect(order?.spec.routing).to.equal(undefined);
  });

  it('reads the JSON rendering the same as the XML', () => {
    const json = {
      ProductionSchedule: {
        ProductionRequest: {
          ID: 'ERP-1001',
          Description: 'ACME Motors',
          ProductProductionRuleID: 'MOTOR-5KW',
          Priority: 2,
          EarliestStartTime: '2026-11-26T08:00:00+08:00',
          LatestEndTime: '2026-11-28T17:00:00+08:00',
          MaterialRequirement: {
            MaterialDefinitionID: 'MOTOR-5KW',
            MaterialUse: 'Produced',
            Quantity: { QuantityString: '50', UnitOfMeasure: 'pcs' },
          },
          SegmentRequirement: [
            {
              ID: '010',
              ProcessSegmentID: 'WIND',
              Duration: 'PT5H',
              EquipmentRequirement: { EquipmentClassID: 'WC-WIND' },
              MaterialRequirement: {
                MaterialDefinitionID: 'CU-WIRE',
                MaterialUse: 'Consumed',
                Quantity: { QuantityString: '100', UnitOfMeasure: 'kg' },
              },
            },
            {
              ID: '020',
              ProcessSegmentID: 'TEST',
              Duration: 'PT50M',
              EquipmentRequirement: { EquipmentID: 'WC-TEST' },
              SegmentParameter: { ID: 'InspectionRequired', Value: 'true' },
            },
          ],
        },
      },
    };
    expect(scheduleToOrders(parseSchedule(json, 'application/json'), schemas)).to.deep.equal(
      scheduleToOrders(parseSchedule(xml, 'application/xml'), schemas),
    );
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
    expect(scheduleToOrders(parseSchedule(xml, 'application/xml'), schemas)).to.have.length(1);
  });

  it('refuses a document that does not parse, with where it breaks', () => {
    const broken = refusal(() =>
      parseSchedule('<ProductionSchedule><ProductionRequest><ID>1</ProductionRequest>', 'application/xml'),
    );
    expect(broken.problems[0]?.path).to.match(/^\/line 1\/column \d+$/);
  });

  it('refuses a document that does not validate, naming the element', () => {
    const bad = xml
      .replace('<LatestEndTime>2026-11-28T17:00:00+08:00</LatestEndTime>', '')
      .replace('<Priority>2</Priority>', '<Priority>2</Priority>')
      .replace('<ID>ERP-1001</ID>', '<ID>ERP 1001 ?</ID>');
    const problems = refusal(() => scheduleToOrders(parseSchedule(bad, 'application/xml'), schemas)).problems.map(
      (p) => p.path,
    );
    expect(problems).to.include.members([
      '/ProductionSchedule/ProductionRequest[0]/LatestEndTime',
      '/ProductionSchedule/ProductionRequest[0]/ID',
    ]);
    const noRequest = refusal(() =>
      scheduleToOrders(
        parseSchedule('<ProductionSchedule><ID>x</ID></ProductionSchedule>', 'application/xml'),
        schemas,
      ),
    );
    expect(noRequest.problems[0]?.path).to.equal('/ProductionSchedule/ProductionRequest');
  });
});
