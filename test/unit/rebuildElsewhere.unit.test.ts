import { expect } from 'chai';
import type { Config } from '../../src/main/config';
import { rebuildElsewhere } from '../../src/main/readSide';
import { MACHINE_SIDE } from '../../src/main/rebuildWorker';
import { TEST_PLANT } from '../support/readStoreDump';

/** Only the members rebuildElsewhere reads. */
const configWith = (eventStore: Config['eventStore'], mongoUrl?: string): Config =>
  ({ dataDir: '/tmp/mes-data', eventStore, mongoUrl }) as unknown as Config;

describe('readSide: the rebuild path (projections:rebuild, as bench:projections measures it)', () => {
  it('rebuilds the machine-side read models in a worker thread when both stores are SQLite files', () => {
    const elsewhere = rebuildElsewhere(configWith({ kind: 'sqlite', path: '/tmp/mes-data/events.db' }), TEST_PLANT);
    expect(elsewhere?.names).to.deep.equal(MACHINE_SIDE);
  });

  it('rebuilds on one thread over MongoDB, EventStoreDB or an in-memory log', () => {
    expect(rebuildElsewhere(configWith({ kind: 'sqlite', path: '/tmp/e.db' }, 'mongodb://127.0.0.1'), TEST_PLANT)).to.be
      .undefined;
    expect(rebuildElsewhere(configWith({ kind: 'esdb', connectionString: 'esdb://127.0.0.1:2113' }), TEST_PLANT)).to.be
      .undefined;
    expect(rebuildElsewhere(configWith({ kind: 'sqlite', path: ':memory:' }), TEST_PLANT)).to.be.undefined;
  });
});
