/** The answer of GET /api/dashboard (src/projections/dashboardQueries.ts): the read models' own figures. */
export type Ratio = number | null;

export type OeeFigures = {
  date?: string;
  shift?: string;
  week?: string;
  availability: Ratio;
  performance: Ratio;
  quality: Ratio;
  oee: Ratio;
  teep: Ratio;
  total: number;
  good: number;
  rejects: number;
  calendarSeconds: number;
  plannedBusySeconds: number;
  runSeconds: number;
  losses: Record<string, number | null>;
  stopPareto: Array<{ reasonCode: string; loss: string; seconds: number; share: Ratio; cumulativeShare: Ratio }>;
};

export type DashboardAnswer = {
  scope: { level: 'plant' } | { level: 'line' | 'machine'; key: string };
  period: 'shift' | 'day' | 'week';
  at: string;
  timeZone: string;
  today: string;
  days: string[];
  oee: OeeFigures | null;
  choices: { lines: string[]; machines: string[] };
  machines: {
    count: number;
    byState: Record<string, number>;
    stopped: Array<{ machineId: string; workCenter: string; state: string; reason: string | null; since: string }>;
  };
  output: { date: string; dueOrders: number; plannedQuantity: number; madeQuantity: number; completedOrders: number };
  delivery: { completed: number; onTime: number; onTimeDelivery: Ratio; openLate: number };
  yields: {
    units: number;
    good: number;
    firstPassYield: Ratio;
    finalYield: Ratio;
    products: Array<{ product: string; units: number; firstPassYield: Ratio; rolledThroughputYield: Ratio }>;
  };
  energy: { kWh: number; kg: number; gas: string; goodUnits: number; kWhPerUnit: Ratio; kgPerUnit: Ratio };
  quality: {
    openLoops: number;
    oldest: Array<{
      nonconformanceId: string;
      orderId: string | null;
      product: string | null;
      state: string;
      ageHours: number;
    }>;
  };
  maintenance: {
    overdue: number;
    dueSoon: number;
    overdueList: Array<{ planId: string; machineId: string; title: string | null; hoursOverdue: number }>;
    dueSoonList: Array<{ planId: string; machineId: string; title: string | null; hoursToDue: number | null }>;
  };
};
