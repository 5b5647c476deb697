// What the maintenance screens read (plans, corrective requests, a machine's day) and how they show it.

export type Due = { dueAt?: string; dueRunningHours?: number; dueCount?: number; finished?: boolean };
export type Plan = {
  planId: string;
  machineId: string;
  kind: 'maintenance' | 'inspection';
  title: string;
  cycle: { unit: string; every?: number; dates?: string[] };
  due: Due;
  overdueSince: string | null;
  lastPerformedAt: string | null;
  /** The items to tick when the work is recorded, when the plan has a checklist. */
  checklist?: string[];
  hoursOverdue?: number;
  hoursToDue?: number;
};
export type CorrectiveRequest = {
  requestId: string;
  machineId: string;
  status: 'open' | 'closed';
  openedAt: string;
  reasonCode: string | null;
  closedAt: string | null;
  repairSeconds: number | null;
};
export type Segment = { from: string; to: string; state: string; reason: string | null };
export type Reliability = {
  failures: number;
  repairs: number;
  runningHours: number;
  repairHours: number;
  mtbfHours: number | null;
  mttrHours: number | null;
  openRequest: string | null;
};
export type MachineSummary = {
  machineId: string;
  workCenter: string;
  date: string;
  timeZone: string;
  from: string;
  to: string;
  state: string;
  reason: string | null;
  since: string;
  segments: Segment[];
  reliability: Reliability | null;
  plans: Plan[];
  energy: { kWh: number; kgCo2: number } | null;
  oee: { oee?: number | null } | null;
};

export const PLANT_ZONE = 'Asia/Shanghai';

export const formatInstant = (iso: string, locale: string, timeZone = PLANT_ZONE): string =>
  new Intl.DateTimeFormat(locale, {
    timeZone,
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso));

export const formatTime = (ms: number, locale: string, timeZone = PLANT_ZONE): string =>
  new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(ms));

/** Hours as the screens show them (MTBF, MTTR, overdue): two decimals. */
export const formatHours = (value: number, locale: string): string =>
  new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);

/** The plant's local day now (YYYY-MM-DD). */
export const plantToday = (timeZone = PLANT_ZONE): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

/** A colour per machine state, the same on every chart. */
export const STATE_COLOURS: Record<string, string> = {
  running: '#3a9c3a',
  idle: '#f0b429',
  setup: '#2f7fd8',
  down: '#d4380d',
  maintenance: '#8e44ad',
};
