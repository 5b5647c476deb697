import { expect } from 'chai';
import type { ApiAnswer, ApiClient } from '../../../src/simulator/client';
import type { PlantClients } from '../../../src/simulator/logins';
import { runPlantSimulation } from '../../../src/simulator/plantSimulator';
import { START } from '../../support/simulatedMachine';

type Request = { method: string; path: string; body: Record<string, unknown> };

/**
 * Accepts everything, except that the results of an inspection the quality loop requests (not one quality
 * requested itself, as a patrol) are first refused as not yet requested, as the loop may be behind.
 */
const recordingClient = () => {
  const requests: Request[] = [];
  const refusedOnce = new Set<string>();
  const requestedHere = new Set<string>();
  const answer = async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    await new Promise((resolve) => setImmediate(resolve));
    requests.push({ method, path, body: (body ?? {}) as Record<string, unknown> });
    if (path.endsWith('/card')) return { status: 200, body: { payload: `card of ${path}` } };
    if (path === '/api/inspections')
      requestedHere.add(`/api/inspections/${String((body as { inspectionId: string }).inspectionId)}/results`);
    if (path.endsWith('/results') && !refusedOnce.has(path) && !requestedHere.has(path)) {
      refusedOnce.add(path);
      return { status: 404, body: { rule: 'not-found' } };
    }
    return { status: 200, body: {} };
  };
  const api: ApiClient = {
    counters: { sent: 0, ok: 0, refused: 0, failed: 0, refusals: new Map() },
    get: (path) => answer('GET', path),
    post: (path, body) => answer('POST', path, body),
    put: (path, body) => answer('PUT', path, body),
  };
  return { api, requests };
};

describe('simulator: the plant shell sends what the model decides', function () {
  this.timeout(20_000);

  it('starts, reports and completes each operation once and in routing order, and reports every machine’s energy without a gap', async () => {
    const { api, requests } = recordingClient();
    // the backbone's clock moves a minute each time the plant looks: always ahead, so the plant never waits
    let clock = START;
    // one recording client plays every role: what matters here is what is sent, in which order
    const clients = {
      counters: api.counters,
      ...Object.fromEntries(
        [
          'planner',
          'quality',
          'maintenance',
          'analyst',
          'auditor',
          'erp',
          'wms',
          'gateway',
          'sysadmin',
          'secadmin',
        ].map((role) => [role, api]),
      ),
      operators: [api],
    } as PlantClients;
    const run = await runPlantSimulation({
      clients,
      now: () => new Date((clock += 60_000)),
      factor: 1,
      machines: 4,
      orders: 8,
      hours: 24,
      defectRate: 0.5,
      mtbfHours: 3,
      mttrHours: 0.5,
      lateMaintenanceRate: 0.5,
      seed: 1,
    });
    expect(run.problems.filter((p) => !p.includes('/results'))).to.deep.equal([]);

    const scans = requests.filter((r) => r.path === '/api/scans').map((r) => r.body);
    expect(scans).to.have.length(run.scans);
    const byOperation = new Map<string, unknown[]>();
    for (const s of scans) {
      const key = String(s['scanId']).replace(/-(start|report|complete)$/, '');
      byOperation.set(key, [...(byOperation.get(key) ?? []), s['action']]);
    }
    for (const [operation, actions] of byOperation)
      expect(['start', 'report', 'complete'].slice(0, actions.length), operation).to.deep.equal(actions);
    const completed = [...byOperation].filter(([, a]) => a.length === 3).map(([op]) => op);
    expect(completed.length, 'operations completed in a day').to.be.greaterThan(4);
    for (const op of completed.filter((o) => o.endsWith('-020'))) {
      const turned = scans.findIndex((s) => s['scanId'] === `${op.replace(/-020$/, '-010')}-complete`);
      const milled = scans.findIndex((s) => s['scanId'] === `${op}-start`);
      expect(turned, `${op} is milled after it was turned`).to.be.within(0, milled);
      const orderId = op.replace(/-020$/, '');
      expect(requests.some((r) => r.path === '/api/lots/produced' && r.body['orderId'] === orderId)).to.equal(true);
      expect(requests.some((r) => r.path === `/api/inspections/${orderId}.020.1/results`)).to.equal(true);
    }
    expect(
      requests.some((r) => r.path.endsWith('/disposition')),
      'a failed inspection is disposed',
    ).to.equal(true);

    for (const machineId of run.machines) {
      const intervals = requests
        .filter((r) => r.path === `/api/machines/${machineId}/energy`)
        .map((r) => [r.body['intervalStart'], r.body['intervalEnd']] as [string, string]);
      expect(intervals[0]?.[0]).to.equal(run.start);
      expect(intervals.at(-1)?.[1]).to.equal(run.end);
      intervals.slice(1).forEach(([from], i) => expect(from, machineId).to.equal(intervals[i]?.[1]));
      const states = requests.filter((r) => r.path === `/api/machines/${machineId}/state`).map((r) => r.body['state']);
      states.slice(1).forEach((s, i) => expect(s, `${machineId} changes state`).not.to.equal(states[i]));
      const performed = requests.filter((r) => r.path === `/api/maintenance-plans/PM-${machineId}/perform`);
      expect(performed.length, 'a daily plan, first due 2 to 20 hours in').to.be.at.most(1);
    }
    expect(requests.filter((r) => r.path.endsWith('/perform')).length).to.be.greaterThan(0);
  });
});
