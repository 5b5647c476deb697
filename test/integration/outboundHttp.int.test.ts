import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpDestination } from '../../src/adapters/integration/destinations';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { loadConfig } from '../../src/main/config';
import { rejection } from '../support/assert';

describe('Outbound ERP/WMS calls: credentials, a body signature, TLS by default', () => {
  let server: Server;
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  it('sends the bearer token and an HMAC-SHA256 of the exact body the receiver can recompute', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/b2mml`;
    const destination = httpDestination('erp', url, {
      token: 'erp-token-0123456789',
      hmacKey: 'shared-key-0123456789',
    });
    const body =
      '<ProductionPerformance xmlns="http://www.mesa.org/xml/B2MML-V0600"><ID>PP-1</ID></ProductionPerformance>';
    await destination.send({
      key: 'evt-1:ProductionPerformance',
      system: 'erp',
      kind: 'ProductionPerformance',
      orderId: 'PO-1',
      contentType: 'application/xml',
      body,
      seq: 1,
      destination: 'erp-http',
      attempts: 0,
      createdAt: '2026-11-30T08:00:00Z',
    });
    const [call] = received;
    expect(call?.headers['authorization']).to.equal('Bearer erp-token-0123456789');
    const expected = createHmac('sha256', 'shared-key-0123456789')
      .update(call?.body ?? '')
      .digest('hex');
    expect(call?.headers['x-mes-signature']).to.equal(`sha256=${expected}`);
    expect(call?.body).to.equal(body);
  });

  it('refuses http:// destinations at start unless OUTBOUND_INSECURE=true', async () => {
    const schemas = loadSchemaRegistry();
    for (const name of ['ERP_OUTBOUND_URL', 'WMS_OUTBOUND_URL', 'PROOF_WITNESS_URL']) {
      const error = (await rejection(
        Promise.resolve().then(() => loadConfig({ [name]: 'http://erp.plant.local/in' }, schemas)),
      )) as { problems: { path: string }[] };
      expect(error.problems.map((p) => p.path)).to.deep.equal([`/env/${name}`]);
    }
    expect(loadConfig({ ERP_OUTBOUND_URL: 'https://erp.plant.local/in' }, schemas).erpOutboundUrl).to.equal(
      'https://erp.plant.local/in',
    );
    expect(
      loadConfig({ ERP_OUTBOUND_URL: 'http://erp.plant.local/in', OUTBOUND_INSECURE: 'true' }, schemas).erpOutboundUrl,
    ).to.equal('http://erp.plant.local/in');
  });
});
