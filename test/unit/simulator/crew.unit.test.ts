import { expect } from 'chai';
import type { ApiClient, Must } from '../../../src/simulator/client';
import { createCrew } from '../../../src/simulator/crew';
import { createMachine, type Machine, type StateChange } from '../../../src/simulator/machineModel';
import { planOrders } from '../../../src/simulator/orderPlan';
import { H, START, steady } from '../../support/simulatedMachine';

describe('simulator: the operators', () => {
  const setUp = (onState: (m: Machine, change: StateChange) => Promise<void>) => {
    const requests: string[] = [];
    const api: ApiClient = {
      counters: { sent: 0, ok: 0, refused: 0, failed: 0, refusals: new Map() },
      get: async (path) => {
        requests.push(`GET ${path}`);
        return { status: 200, body: { payload: 'card' } };
      },
      post: async (path) => {
        requests.push(`POST ${path}`);
        return { status: 200, body: {} };
      },
      put: async (path) => {
        requests.push(`PUT ${path}`);
        return { status: 200, body: {} };
      },
    };
    const must: Must = async (_what, answer) => (await answer).body;
    const orders = planOrders({ runId: 'C', orders: 1, hours: 24 }, steady()).map((o) => ({
      ...o,
      arrived: true,
      released: true,
    }));
    // machines 1 and 3 are lathes, 2 a mill
    const machines = [0, 1, 2].map((i) => createMachine('C', i));
    const crew = createCrew({
      operatorOf: () => api,
      must,
      random: steady(),
      defectRate: 0,
      orders,
      machines,
      setState: async (m, change) => {
        m.state = change.state;
        await onState(m, change);
      },
      inspect: () => undefined,
    });
    return { crew, requests, orders, machines };
  };

  it('never hands a finished operation to another machine while the first one reports going idle', async () => {
    // another lathe looks for work at the moment the first one's idle state is on its way
    const world = setUp(async (m, change) => {
      if (m === lathe && change.state === 'idle') await world.crew.dispatch(otherLathe, START + H);
    });
    const [lathe, mill, otherLathe] = [world.machines[0]!, world.machines[1]!, world.machines[2]!];
    await world.crew.dispatch(lathe, START);
    expect([lathe.state, lathe.job?.operation.operationId]).to.deep.equal(['setup', '010']);
    const job = lathe.job!;
    await world.crew.complete(lathe, { ...job, made: job.target, good: job.target }, START + H);

    expect(otherLathe.job, 'the other lathe found nothing to turn').to.equal(undefined);
    expect(world.requests.filter((r) => r.endsWith('/operations/010/card'))).to.have.length(1);
    expect([lathe.state, lathe.job, world.orders[0]!.next]).to.deep.equal(['idle', undefined, 1]);
    await world.crew.dispatch(mill, START + H);
    expect([mill.job?.operation.operationId, mill.job?.target]).to.deep.equal(['020', job.target]);
  });
});
