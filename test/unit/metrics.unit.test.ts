import { expect } from 'chai';
import { createMetrics } from '../../src/api/metrics';

const sources = {
  stats: { appends: 3, events: 7, transactions: 2 },
  projections: () => Promise.resolve([]),
  handlersInFlight: () => 0,
};

describe('metrics (prom-client)', () => {
  it('escapes a quote, a backslash and a newline in a label value as the Prometheus text format says', async () => {
    const metrics = createMetrics(sources);
    metrics.observeRequest({ method: 'POST', route: '/odd"route\\with\nbreak', status: 201, seconds: 0.002 });
    const text = await metrics.register.metrics();
    expect(text).to.include('commands_total{route="/odd\\"route\\\\with\\nbreak"} 1');
    expect(text).to.include('http_requests_total{method="POST",route="/odd\\"route\\\\with\\nbreak",status="201"} 1');
  });

  it('keeps one registry per API, so two APIs in one process count apart', async () => {
    const first = createMetrics(sources);
    const second = createMetrics({ ...sources, stats: { appends: 0, events: 0, transactions: 0 } });
    first.observeRequest({ method: 'GET', route: '/health', status: 200, seconds: 0.001 });
    expect(await first.register.metrics()).to.match(/^http_requests_total\{[^}]*route="\/health"[^}]*\} 1$/m);
    const other = await second.register.metrics();
    expect(other).to.not.include('route="/health"');
    expect(other).to.match(/^event_store_events_total 0$/m);
    expect(await first.register.metrics()).to.match(/^event_store_events_total 7$/m);
  });
});
