import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMasterPlant, type MasterPlant } from '../support/masterPlant';

const fixture = (name: string) => readFileSync(join(__dirname, '../fixtures/b2mml', name), 'utf8');
type Result = {
  orderId?: string;
  element: string;
  outcome: string;
  rule?: string;
  problems?: { path: string; message: string }[];
};
const BAD_REQUEST_PROBLEMS = [
  {
    path: 'ProductionSchedule/ProductionRequest[2]/SegmentRequirement[1]/MaterialRequirement[1]/Quantity/QuantityString',
    message: 'must be a number above 0, not "twenty"',
  },
  {
    path: 'ProductionSchedule/ProductionRequest[2]/EndTime',
    message: 'is required (or LatestEndTime on its SegmentRequirements): it is the due date',
  },
];

describe('ERP production schedules over HTTP: B2MML V0600 as the standard writes it, each request on its own', function () {
  this.timeout(60_000);
  let plant: MasterPlant;
  const send = (body: string, type = 'application/xml') =>
    plant.api.call('POST', '/api/erp/production-schedules', {
      as: 'integrator',
      raw: body,
      headers: { 'content-type': type },
    });
  const spec = async (orderId: string) =>
    (await plant.backbone.store.readStream(`order-${orderId}`))[0]?.data as
      { spec: Record<string, unknown> } | undefined;

  before(async () => {
    plant = await startMasterPlant('2026-11-25T00:00:00Z');
  });
  after(async () => plant.stop());

  it('plans the good requests of a schedule and refuses the bad one with its element paths, each problem once (207)', async () => {
    const answer = await send(fixture('schedule-one-bad.xml'));
    expect(answer.status).to.equal(207);
    const results = (answer.body as { results: Result[] }).results;
    expect(results.map((r) => [r.orderId, r.element, r.outcome, r.rule])).to.deep.equal([
      ['ERP-2001', 'ProductionSchedule/ProductionRequest[1]', 'planned', undefined],
      ['ERP-2002', 'ProductionSchedule/ProductionRequest[2]', 'refused', 'b2mml-invalid'],
      ['ERP-2003', 'ProductionSchedule/ProductionRequest[3]', 'planned', undefined],
    ]);
    expect(results[1]?.problems).to.deep.equal(BAD_REQUEST_PROBLEMS);
    expect(JSON.stringify(results[1])).not.to.match(/"(product|dueDate|quantity)"|\/dueDate|\/product\b/);
    expect(await spec('ERP-2002')).to.equal(undefined);
    expect((await spec('ERP-2001'))?.spec).to.deep.include({
      product: 'SHAFT-20',
      quantity: 20,
      unit: 'pcs',
      dueDate: '2026-11-30T17:00:00+08:00',
      earliestStart: '2026-11-27T08:00:00+08:00',
      priority: 3,
    });
    expect((await spec('ERP-2003'))?.spec).to.deep.include({ customer: 'R&D workshop', product: 'FLANGE-8' });

    // sent again: the good ones are unchanged, the bad one refused the same way
    const again = await send(fixture('schedule-one-bad.xml'));
    expect((again.body as { results: Result[] }).results.map((r) => r.outcome)).to.deep.equal([
      'unchanged',
      'refused',
      'unchanged',
    ]);
  });

  it('plans a V0600 schedule sent as its JSON rendering (200), the schema documented in OpenAPI', async () => {
    const json = {
      ProductionSchedule: {
        ID: 'SCH-J',
        ProductionRequest: {
          ID: 'ERP-J1',
          Description: 'Nordic Pumps & Co',
          EndTime: '2026-12-02T17:00:00+08:00',
          SegmentRequirement: {
            ID: '010',
            ProcessSegmentID: 'TURN',
            Duration: 'PT1H',
            ProductionParameter: {
              Parameter: { ID: 'InspectionRequired', Value: { ValueString: 'true' } },
            },
            EquipmentRequirement: { EquipmentID: 'WC-LATHE' },
            MaterialRequirement: {
              MaterialDefinitionID: 'PIN-4',
              MaterialUse: 'Produced',
              Quantity: { QuantityString: 30, UnitOfMeasure: 'pcs' },
            },
          },
        },
      },
    };
    const answer = await send(JSON.stringify(json), 'application/json');
    expect(answer.status, answer.text).to.equal(200);
    const routing = (await spec('ERP-J1'))?.spec['routing'] as { operations: Record<string, unknown>[] };
    // 60 min over 30 pins: 2 min a pin
    expect(routing.operations[0]).to.deep.include({ standardMinutesPerUnit: 2, inspectionRequired: true });
    const doc = (await plant.api.get('/openapi.json', 'analyst')).body as {
      paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: unknown }> } }>>;
      components: { schemas: Record<string, unknown> };
    };
    const content = doc.paths['/api/erp/production-schedules']?.['post']?.requestBody.content;
    expect(content?.['application/json']?.schema).to.deep.equal({
      $ref: '#/components/schemas/erp_productionSchedule',
    });
    expect(content?.['application/xml']?.schema).to.deep.equal({ type: 'string' });
    expect(doc.components.schemas['erp_productionSchedule']).to.have.property('$defs');
  });

  it('answers a schedule none of whose requests is taken with a problem listing each (400 unreadable, 409 refused)', async () => {
    const onlyBad = fixture('schedule-one-bad.xml').replace(
      /<b2mml:ProductionRequest>\s*<b2mml:ID>ERP-2001[\s\S]*?<\/b2mml:ProductionRequest>/,
      '',
    );
    const unreadable = await send(
      onlyBad.replace(/<b2mml:ProductionRequest>\s*<b2mml:ID>ERP-2003[\s\S]*?<\/b2mml:ProductionRequest>/, ''),
    );
    expect(unreadable.status).to.equal(400);
    expect(unreadable.headers.get('content-type')).to.match(/application\/problem\+json/);
    const problem = unreadable.body as { rule: string; errors: unknown[]; results: Result[] };
    expect(problem.rule).to.equal('schedule-refused');
    // after the first request went, the bad one is the first: its paths say so
    expect(problem.errors).to.deep.equal(
      BAD_REQUEST_PROBLEMS.map((p) => ({ ...p, path: p.path.replace('ProductionRequest[2]', 'ProductionRequest[1]') })),
    );
    expect(problem.results).to.have.length(1);

    // by product, for a product master data does not know: refused by the orders, not the reader
    const unknown = `<ProductionSchedule xmlns="http://www.mesa.org/xml/B2MML-V0600"><ProductionRequest><ID>ERP-U1</ID><EndTime>2026-12-01T00:00:00Z</EndTime><SegmentRequirement><ID>1</ID><MaterialRequirement><MaterialDefinitionID>NOT-IN-MASTER</MaterialDefinitionID><MaterialUse>Produced</MaterialUse><Quantity><QuantityString>5</QuantityString><UnitOfMeasure>pcs</UnitOfMeasure></Quantity></MaterialRequirement></SegmentRequirement></ProductionRequest></ProductionSchedule>`;
    const refused = await send(unknown);
    expect(refused.status).to.equal(409);
    expect((refused.body as { errors: { path: string }[] }).errors.map((e) => e.path)).to.deep.equal([
      'ProductionSchedule/ProductionRequest[1]',
    ]);
    expect((refused.body as { results: Result[] }).results[0]?.rule).to.equal('product-unknown');
  });
});
