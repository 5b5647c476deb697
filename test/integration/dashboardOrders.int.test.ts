import { expect } from 'chai';
import { createSqliteReadStore } from '../../src/adapters/readstore/sqliteReadStore';
import type { Document } from '../../src/app/readStore';
import { createProjections, namespaceOf } from '../../src/projections';
import { dashboardQueries } from '../../src/projections/dashboardQueries';
import { createReadModelQueries } from '../../src/projections/queries';
import { addDays, localDate } from '../../src/lib/time';
import { TEST_PLANT } from '../support/readStoreDump';

/** A deterministic stream of numbers in [0, 1), so a failure can be replayed. */
const random = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

/** An instant written with a UTC offset (as clients send times): `+08:00`, `-11:00`, `Z`... */
const written = (ms: number, offsetMinutes: number): string => {
  if (offsetMinutes === 0) return new Date(ms).toISOString();
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const wall = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};

// Asia/Shanghai: the plant's local day starts at 16:00Z the day before
describe('The dashboard reads only the orders its figures are about, with the figures of all of them', function () {
  this.timeout(30_000);
  const now = new Date('2026-11-25T03:00:00Z');

  it('due today, completed in the period (on time or late) and open late: as counted over every order', async () => {
    const readStore = createSqliteReadStore(':memory:');
    for (const projection of createProjections(TEST_PLANT)) {
      await readStore.ensure(namespaceOf(projection), projection.collections);
      await readStore.activate(projection.name, namespaceOf(projection));
    }
    // orders due and completed around now, with times written in offsets from -12:00 to +14:00, so many
    // fall on another local day than their UTC or written date says
    const next = random(19);
    const offsets = [0, 480, -300, 840, -720, 345, -570];
    const statuses = ['Planned', 'Released', 'InProgress', 'OnHold', 'Completed', 'Closed', 'Cancelled'];
    const orders: Document[] = [];
    for (let i = 0; i < 600; i += 1) {
      const status = statuses[Math.floor(next() * statuses.length)] as string;
      const due = now.getTime() + Math.round((next() - 0.5) * 10 * 86_400_000);
      const done = now.getTime() - Math.round(next() * 9 * 86_400_000);
      const offset = () => offsets[Math.floor(next() * offsets.length)] as number;
      const dueDate = written(due, offset());
      orders.push({
        _id: `O-${i}`,
        orderId: `O-${i}`,
        status,
        dueDate,
        dueAt: Date.parse(dueDate),
        quantity: 10 + i,
        quantityRemaining: i % 10,
        ...(status === 'Completed' || status === 'Closed' ? { completedAt: written(done, offset()) } : {}),
      });
    }
    await readStore.commit([
      {
        namespace: namespaceOf(createProjections(TEST_PLANT).find((p) => p.name === 'wip') as never),
        writes: orders.map((doc) => ({ collection: 'orders', id: doc._id, doc })),
        position: '1',
        events: orders.length,
      },
    ]);
    const q = createReadModelQueries(readStore, TEST_PLANT, () => now);
    const dashboard = dashboardQueries(q);
    const { timeZone } = TEST_PLANT;
    const today = localDate(now.getTime(), timeZone);
    for (const period of ['day', 'week'] as const) {
      const answer = await dashboard({ level: 'plant' }, period);
      // the figures as counted over every order the plant has
      const every = (await q.wip.orders({ limit: 1000 })).items.filter((o) => o['status'] !== 'Cancelled');
      const days = answer.days;
      expect(days[days.length - 1]).to.equal(today);
      if (period === 'week') expect(days[0]).to.equal(addDays(today, -2)); // Wednesday 2026-11-25: from Monday
      const inPeriod = (at: unknown) => typeof at === 'string' && days.includes(localDate(at, timeZone));
      const due = every.filter((o) => localDate(o['dueDate'] as string, timeZone) === today);
      const completed = every.filter((o) => inPeriod(o['completedAt']));
      const onTime = completed.filter((o) => o['late'] === false).length;
      const num = (o: Document, f: string) => o[f] as number;
      expect(answer.output).to.deep.equal({
        date: today,
        dueOrders: due.length,
        plannedQuantity: due.reduce((s, o) => s + num(o, 'quantity'), 0),
        madeQuantity: due.reduce((s, o) => s + num(o, 'quantity') - num(o, 'quantityRemaining'), 0),
        completedOrders: due.filter((o) => o['completedAt']).length,
      });
      expect(answer.delivery).to.deep.equal({
        completed: completed.length,
        onTime,
        onTimeDelivery: completed.length > 0 ? onTime / completed.length : null,
        openLate: every.filter((o) => !o['completedAt'] && o['late'] === true).length,
      });
      // the case the figures are about happens: some due today, some completed in the period, some late
      expect(due.length, 'orders due today').to.be.above(0);
      expect(completed.length - onTime, 'completed late').to.be.above(0);
      expect(answer.delivery['openLate'], 'open late').to.be.above(0);
    }
    await readStore.close();
  });
});
