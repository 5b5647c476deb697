import { plantCalendar, type PlantConfig } from '../app/plant';
import type { Document, Filter } from '../app/readStore';
import { addDays } from '../lib/time';
import { payrollRows, shareOperatorTime, shiftWindowAt, type Clocking, type PayrollRow } from './models/labourShare';

export type LabourSelection = { operatorId?: string; from?: string; to?: string };

const round = (n: number): number => Math.round(n * 10_000) / 10_000;

/** Labour as payroll reads it: per operator, day and operation, from the clockings (models/labourShare.ts). */
export const labourQueries = (
  all: (collection: string, filter?: Filter) => Promise<Document[]>,
  plant: PlantConfig,
  now: () => number,
) => {
  // the plant's calendar (PLANT_CONFIG): its shifts, days off, holidays and make-up working days
  const calendar = plantCalendar(plant);
  const shiftAt = (ms: number) => shiftWindowAt(ms, calendar, plant.timeZone);
  /** Every clocking of the selection, its time shared with the operator's other clockings (a day either side). */
  const shared = async ({ operatorId, from, to }: LabourSelection) => {
    const filter: Filter = {};
    if (operatorId) filter['operatorId'] = operatorId;
    // the payroll day (the shift's) can be a day off the clock-in's: read a day either side
    if (from || to)
      filter['day'] = { ...(from ? { $gte: addDays(from, -1) } : {}), ...(to ? { $lte: addDays(to, 1) } : {}) };
    const byOperator = new Map<string, Clocking[]>();
    for (const doc of await all('clockings', filter)) {
      const c = doc as unknown as Clocking;
      byOperator.set(c.operatorId, [...(byOperator.get(c.operatorId) ?? []), c]);
    }
    return [...byOperator.values()]
      .flatMap((list) => shareOperatorTime(list, now(), shiftAt, plant.timeZone))
      .filter((s) => (!from || s.day >= from) && (!to || s.day <= to));
  };
  const payroll = async (selection: LabourSelection): Promise<PayrollRow[]> => payrollRows(await shared(selection));
  return {
    payroll,
    /** Per operator and day: hours (overlaps shared), overtime, good and scrap. */
    operatorDays: async (selection: LabourSelection = {}) => {
      const days = new Map<
        string,
        {
          operatorId: string;
          day: string;
          hours: number;
          overtimeHours: number;
          good: number;
          scrap: number;
          operations: number;
        }
      >();
      for (const row of await payroll(selection)) {
        const key = `${row.operatorId}|${row.day}`;
        const day = days.get(key) ?? {
          operatorId: row.operatorId,
          day: row.day,
          hours: 0,
          overtimeHours: 0,
          good: 0,
          scrap: 0,
          operations: 0,
        };
        day.hours = round(day.hours + row.hours);
        day.overtimeHours = round(day.overtimeHours + row.overtimeHours);
        day.good += row.good;
        day.scrap += row.scrap;
        day.operations += 1;
        days.set(key, day);
      }
      return [...days.values()];
    },
    /** An order's labour hours, by operator, each operator's time shared with their other work. */
    order: async (orderId: string) => {
      const mine = (await all('clockings', { orderId })) as unknown as Array<Clocking & { day: string }>;
      const byOperator: Record<string, number> = {};
      for (const operatorId of [...new Set(mine.map((c) => c.operatorId))]) {
        const days = mine
          .filter((c) => c.operatorId === operatorId)
          .map((c) => c.day)
          .sort();
        const rows = await shared({
          operatorId,
          from: addDays(days[0] as string, -1),
          to: addDays(days.at(-1) as string, 1),
        });
        byOperator[operatorId] = round(rows.filter((r) => r.orderId === orderId).reduce((sum, r) => sum + r.hours, 0));
      }
      return { orderId, hours: round(Object.values(byOperator).reduce((a, b) => a + b, 0)), byOperator };
    },
    /** Every clocking of the selection with its shared hours, overtime, shift and where its time ends. */
    clockings: shared,
  };
};
