import type { ApiClient } from './client';
import type { SimulationRun } from './plantSimulator';

type Doc = Record<string, unknown>;
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const fixed = (value: unknown, digits = 2): string => (typeof value === 'number' ? value.toFixed(digits) : 'n/a');

const WATERFALL: Array<[string, string]> = [
  ['nonWorkingSeconds', 'non-working'],
  ['plannedStopSeconds', 'planned stops'],
  ['noDemandSeconds', 'no demand'],
  ['breakdownSeconds', 'breakdowns'],
  ['setupSeconds', 'set-up'],
  ['minorStopSeconds', 'minor stops'],
  ['reducedSpeedSeconds', 'reduced speed'],
  ['startupRejectSeconds', 'start-up rejects'],
  ['productionRejectSeconds', 'production rejects'],
  ['fullyProductiveSeconds', 'fully productive'],
];

/** The figures of one OEE answer the summary prints. */
const oeeOf = (doc: Doc | undefined) => ({
  oee: doc?.['oee'],
  availability: doc?.['availability'],
  performance: doc?.['performance'],
  quality: doc?.['quality'],
  teep: doc?.['teep'],
  utilisation: doc?.['utilisation'],
  calendarSeconds: doc?.['calendarSeconds'],
  losses: (doc?.['losses'] ?? {}) as Record<string, number | null>,
  stops: ((doc?.['stopPareto'] ?? []) as Doc[]).map((s) => ({ reasonCode: s['reasonCode'], seconds: s['seconds'] })),
});
type OeeLine = ReturnType<typeof oeeOf>;

const ratios = (f: OeeLine): string =>
  `OEE ${fixed(f.oee)} = A ${fixed(f.availability)} x P ${fixed(f.performance)} x Q ${fixed(f.quality)}, TEEP ${fixed(f.teep)}`;
const hours = (seconds: unknown): string => fixed(typeof seconds === 'number' ? seconds / 3600 : seconds, 1);
const waterfall = (f: OeeLine): string =>
  `${hours(f.calendarSeconds)} h = ` + WATERFALL.map(([key, label]) => `${label} ${hours(f.losses[key])}`).join(' + ');

/** What the plant did, read back from the backbone's API: the figures an analyst would look at. */
export const readSummary = async (api: { analyst: ApiClient; auditor: ApiClient }, run: SimulationRun) => {
  // figures as an analyst reads them; the overdue alarms from the maintenance streams' history, as an auditor does
  const read = async (as: ApiClient, path: string): Promise<unknown> => {
    const { status, body } = await as.get(path);
    return status === 200 ? body : undefined;
  };
  const get = (path: string) => read(api.analyst, path);
  const orders = (await Promise.all(run.orders.map((o) => get(`/api/wip/orders/${o.orderId}`)))).filter(
    Boolean,
  ) as Doc[];
  // local days either side of the run: the figures are clipped to the machines' registration and now
  const from = new Date(Date.parse(run.start) - 86_400_000).toISOString().slice(0, 10);
  const to = new Date(Date.parse(run.end) + 86_400_000).toISOString().slice(0, 10);
  const range = `from=${from}&to=${to}&until=${run.end}`;
  const oee = await Promise.all(
    run.machines.map(async (machineId) => {
      const [figures] = ((await get(`/api/oee/${machineId}/range?${range}`)) ?? []) as Doc[];
      return { machineId, figures };
    }),
  );
  const [plant] = ((await get(`/api/oee/rollups/plant/range?${range}&machines=${run.machines.join(',')}`)) ??
    []) as Doc[];
  const yields = (((await get('/api/quality/yields?by=product')) ?? []) as Doc[]).filter((y) =>
    run.products.includes(y['key'] as string),
  );
  const loops = (((await get('/api/quality/loops')) ?? []) as Doc[]).filter((l) =>
    String(l['orderId']).startsWith(`${run.runId}-`),
  );
  let raised = 0;
  let cleared = 0;
  for (const machineId of run.machines) {
    const events = ((await read(api.auditor, `/api/streams/maintenance-PM-${machineId}/events`)) ?? []) as Doc[];
    // the alarms of the run: the backbone's clock goes on after it, and so do the plans' due times
    const during = events.filter((e) => String((e['data'] as Doc | undefined)?.['raisedAt']) <= run.end);
    raised += during.filter((e) => e['type'] === 'MaintenanceOverdue').length;
    cleared += during.filter((e) => e['type'] === 'MaintenanceOverdueCleared').length;
  }
  const carbon = (
    (await Promise.all(run.orders.map((o) => get(`/api/carbon/orders/${o.orderId}`)))).filter(Boolean) as Doc[]
  ).reduce<{ kWh: number; kgCo2: number; units: number }>(
    (sum, c) => ({
      kWh: sum.kWh + num(c['kWh']),
      // the default factor counts CO2 only (kgCo2); a configured CO2e factor answers kgCo2e
      kgCo2: sum.kgCo2 + num(c['kgCo2'] ?? c['kgCo2e']),
      units: sum.units + num(c['goodUnits']),
    }),
    { kWh: 0, kgCo2: 0, units: 0 },
  );
  // equipment health: the worn machine's warning before its failure, and the warnings on the others
  const warnings = await Promise.all(
    run.machines.map(async (machineId) => {
      const health = (await get(`/api/machines/${machineId}/health`)) as Doc | undefined;
      const times = ((health?.['warnings'] ?? []) as Doc[])
        .map((w) => String(w['detectedAt']))
        .filter((at) => at <= run.end);
      return { machineId, times };
    }),
  );
  const worn = run.health;
  const wornWarnings = warnings.find((w) => w.machineId === worn.machineId)?.times ?? [];
  const warned = wornWarnings
    .filter((at) => at >= worn.wearFrom && (worn.failedAt === null || at <= worn.failedAt))
    .sort()[0];
  const falseAlarms =
    warnings.filter((w) => w.machineId !== worn.machineId).reduce((n, w) => n + w.times.length, 0) +
    wornWarnings.filter((at) => at < worn.wearFrom).length;
  // the OPC UA machine: parts it made against the parts the backbone counted from its readings
  let opcua: { machineId: string; made: number; counted: number; good: number; countedGood: number } | undefined;
  if (run.opcua) {
    const events = ((await read(api.auditor, `/api/streams/machine-${run.opcua.machineId}/events`)) ?? []) as Doc[];
    const counts = events.filter((e) => e['type'] === 'ProductionCounted').map((e) => e['data'] as Doc);
    opcua = {
      machineId: run.opcua.machineId,
      made: run.opcua.made.parts,
      counted: counts.reduce((n, c) => n + num(c['total']), 0),
      good: run.opcua.made.good,
      countedGood: counts.reduce((n, c) => n + num(c['good']), 0),
    };
  }
  return {
    health: {
      machineId: worn.machineId,
      wearFrom: worn.wearFrom,
      failedAt: worn.failedAt,
      warnedAt: warned ?? null,
      leadHours: warned && worn.failedAt ? (Date.parse(worn.failedAt) - Date.parse(warned)) / 3_600_000 : null,
      falseAlarms,
    },
    spc: run.spc,
    ...(opcua ? { opcua } : {}),
    orders: {
      total: run.orders.length,
      completed: orders.filter((o) => ['Completed', 'Closed'].includes(o['status'] as string)).length,
      late: orders.filter((o) => o['late'] === true).length,
      inProgress: orders.filter((o) => ['Released', 'InProgress', 'OnHold'].includes(o['status'] as string)).length,
    },
    oee: oee.map(({ machineId, figures }) => ({ machineId, ...oeeOf(figures) })),
    plant: oeeOf(plant),
    firstPassYield: yields.map((y) => ({ product: y['key'], firstPassYield: y['firstPassYield'], good: y['good'] })),
    qualityLoops: {
      opened: loops.length,
      open: loops.filter((l) => l['state'] !== 'closed').length,
    },
    overdueAlarms: { raised, cleared },
    carbon: {
      kWh: carbon.kWh,
      kgCo2: carbon.kgCo2,
      goodUnits: carbon.units,
      kWhPerUnit: carbon.units > 0 ? carbon.kWh / carbon.units : null,
      kgCo2PerUnit: carbon.units > 0 ? carbon.kgCo2 / carbon.units : null,
    },
  };
};

export type Summary = Awaited<ReturnType<typeof readSummary>>;

const short = (machineId: string): string => machineId.split('-').pop() as string;
const clockTime = (at: string): string => at.slice(11, 16);

const healthLine = (h: Summary['health']): string =>
  `${short(h.machineId)} bearing wear from ${clockTime(h.wearFrom)}: ` +
  (h.warnedAt
    ? `warned ${clockTime(h.warnedAt)}, ${h.leadHours === null ? 'no failure in the run' : `${h.leadHours.toFixed(1)} h before its failure at ${clockTime(h.failedAt as string)}`}`
    : `no warning${h.failedAt ? ` before its failure at ${clockTime(h.failedAt)}` : ''}`) +
  `; ${h.falseAlarms} warning${h.falseAlarms === 1 ? '' : 's'} on healthy machines`;

const spcLine = (spc: Summary['spc']): string => {
  const limited = spc.charts.filter((c) => c.limited).length;
  const first = spc.caught.find((c) => c.at >= spc.driftFrom);
  const before = spc.caught.filter((c) => c.at < spc.driftFrom).length;
  return (
    `${spc.inspections} patrol inspections on ${spc.charts.length} bore charts, limits set on ${limited}; drift from ${clockTime(spc.driftFrom)}: ` +
    (first
      ? `caught ${clockTime(first.at)} by rule ${first.rule} on ${first.chartId} (${first.nonconformanceId})`
      : 'not caught') +
    `; ${before} signal${before === 1 ? '' : 's'} before it; ${spc.outOfTolerance} part${spc.outOfTolerance === 1 ? '' : 's'} out of tolerance`
  );
};

export const formatSummary = (summary: Summary, run: SimulationRun, requests: string): string =>
  [
    '',
    `Plant run ${run.runId}: ${run.start} to ${run.end} (simulated)`,
    `  orders            ${summary.orders.completed} of ${summary.orders.total} completed, ${summary.orders.late} late, ${summary.orders.inProgress} in progress`,
    `  OEE of the plant  ${ratios(summary.plant)}, utilisation ${fixed(summary.plant.utilisation)}`,
    `  losses (h)        ${waterfall(summary.plant)}`,
    `  stops by reason   ${summary.plant.stops.map((s) => `${String(s.reasonCode)} ${hours(s.seconds)} h`).join(', ') || 'none'}`,
    '  OEE per machine',
    ...summary.oee.flatMap((m) => [`    ${m.machineId.split('-').pop()}  ${ratios(m)}`, `        ${waterfall(m)}`]),
    '  first-pass yield  ' +
      (summary.firstPassYield.map((y) => `${String(y.product)} ${fixed(y.firstPassYield, 3)}`).join(', ') || 'n/a'),
    `  quality loops     ${summary.qualityLoops.opened} opened, ${summary.qualityLoops.open} still open`,
    `  overdue alarms    ${summary.overdueAlarms.raised} raised, ${summary.overdueAlarms.cleared} cleared`,
    `  energy            ${fixed(summary.carbon.kWh, 1)} kWh, ${fixed(summary.carbon.kgCo2, 1)} kg CO2 over ${summary.carbon.goodUnits} good units: ${fixed(summary.carbon.kWhPerUnit, 3)} kWh and ${fixed(summary.carbon.kgCo2PerUnit, 3)} kg CO2 per unit`,
    `  equipment health  ${healthLine(summary.health)}`,
    `  SPC               ${spcLine(summary.spc)}`,
    ...(summary.opcua
      ? [
          `  OPC UA            ${short(summary.opcua.machineId)}: ${summary.opcua.made} parts made, ${summary.opcua.counted} counted; ${summary.opcua.good} good, ${summary.opcua.countedGood} counted`,
        ]
      : []),
    `  requests          ${requests}`,
    ...(run.deviceMessages > 0 ? [`  device messages   ${run.deviceMessages} over NATS`] : []),
    `  operator scans    ${run.scans}`,
    ...(run.problems.length > 0
      ? [
          `  refused           ${run.problems
            .slice(0, Number(process.env['DEMO_PROBLEMS'] ?? 5))
            .map((p) => p.slice(0, 160))
            .join('\n                    ')}`,
        ]
      : []),
  ].join('\n');
