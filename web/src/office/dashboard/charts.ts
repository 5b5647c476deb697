// The dashboard's chart options, built from the answer's figures (seconds shown as hours; nothing recomputed).
import type { ChartOption } from '../charts/echarts';
import type { OeeFigures } from './types';

type T = (key: string) => string;
const H = 3600;
const round = (seconds: number): number => Math.round((seconds / H) * 100) / 100;

/** Calendar time step by step down to fully productive time: totals as full bars, each loss hanging from the one before. */
export const waterfallOption = (oee: OeeFigures | null, t: T, big: boolean): ChartOption => {
  const l = oee?.losses ?? {};
  const steps: Array<[key: string, seconds: number | null | undefined, kind: 'total' | 'loss']> = [
    ['calendar', oee?.calendarSeconds, 'total'],
    ['nonWorking', l['nonWorkingSeconds'], 'loss'],
    ['plannedStop', l['plannedStopSeconds'], 'loss'],
    ['noDemand', l['noDemandSeconds'], 'loss'],
    ['plannedBusy', oee?.plannedBusySeconds, 'total'],
    ['breakdown', l['breakdownSeconds'], 'loss'],
    ['setup', l['setupSeconds'], 'loss'],
    ['minorStop', l['minorStopSeconds'], 'loss'],
    ['run', oee?.runSeconds, 'total'],
    ['reducedSpeed', l['reducedSpeedSeconds'], 'loss'],
    ['startupReject', l['startupRejectSeconds'], 'loss'],
    ['productionReject', l['productionRejectSeconds'], 'loss'],
    ['fullyProductive', l['fullyProductiveSeconds'], 'total'],
  ];
  let level = 0;
  const base: number[] = [];
  const value: Array<{ value: number; itemStyle: { color: string } }> = [];
  for (const [, seconds, kind] of steps) {
    const s = seconds ?? 0;
    if (kind === 'total') {
      level = s;
      base.push(0);
      value.push({ value: round(s), itemStyle: { color: '#0b3d91' } });
    } else {
      // a loss hangs below the level it starts from (reduced speed may be negative: performance above 1)
      level -= s;
      base.push(round(Math.min(level, level + s)));
      value.push({ value: round(Math.abs(s)), itemStyle: { color: '#d9534f' } });
    }
  }
  const size = big ? 18 : 11;
  return {
    animation: false,
    ...(big ? { textStyle: { color: '#f2f5f9' } } : {}),
    grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: {
      type: 'category',
      data: steps.map(([key]) => t(`dashboard.losses.${key}`)),
      axisLabel: { interval: 0, rotate: big ? 30 : 45, fontSize: size, color: big ? '#f2f5f9' : '#333' },
    },
    yAxis: { type: 'value', axisLabel: { fontSize: size, color: big ? '#f2f5f9' : '#333' } },
    series: [
      {
        name: 'base',
        type: 'bar',
        stack: 'w',
        data: base,
        itemStyle: { color: 'transparent' },
        tooltip: { show: false },
      },
      {
        name: t('dashboard.hoursUnit'),
        type: 'bar',
        stack: 'w',
        data: value,
        label: { show: big, position: 'top', fontSize: size },
      },
    ],
  };
};

/** Stop time by reason, largest first, with the cumulative share on a second axis. */
export const paretoOption = (
  oee: OeeFigures | null,
  label: (code: string) => string,
  t: T,
  big: boolean,
): ChartOption => {
  const rows = (oee?.stopPareto ?? []).slice(0, 10);
  const size = big ? 18 : 11;
  return {
    animation: false,
    ...(big ? { textStyle: { color: '#f2f5f9' } } : {}),
    grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' },
    xAxis: {
      type: 'category',
      data: rows.map((r) => label(r.reasonCode)),
      axisLabel: { interval: 0, rotate: 30, fontSize: size, color: big ? '#f2f5f9' : '#333' },
    },
    yAxis: [
      { type: 'value', axisLabel: { fontSize: size, color: big ? '#f2f5f9' : '#333' } },
      {
        type: 'value',
        min: 0,
        max: 1,
        axisLabel: {
          formatter: (v: number) => `${Math.round(v * 100)}%`,
          fontSize: size,
          color: big ? '#f2f5f9' : '#333',
        },
      },
    ],
    series: [
      {
        name: t('dashboard.hoursUnit'),
        type: 'bar',
        data: rows.map((r) => round(r.seconds)),
        itemStyle: { color: '#e08a00' },
      },
      {
        name: t('dashboard.cumulative'),
        type: 'line',
        yAxisIndex: 1,
        data: rows.map((r) => r.cumulativeShare ?? 0),
        itemStyle: { color: '#0b3d91' },
      },
    ],
  };
};
