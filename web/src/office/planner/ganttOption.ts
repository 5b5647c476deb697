import type { CustomSeriesOption } from 'echarts/charts';
import type { ChartOption } from '../charts/echarts';
import { formatDateTime } from './format';

/** GET /api/planner/gantt/:workCenter */
export type GanttBar = {
  kind: 'done' | 'running' | 'planned';
  orderId: string;
  operationId: string;
  product?: string;
  productName?: string;
  lane: string;
  start: string;
  end: string;
};
export type Gantt = { workCenter: string; from: string; now: string; lanes: string[]; bars: GanttBar[] };

const KINDS = ['done', 'running', 'planned'] as const;
const COLORS: Record<(typeof KINDS)[number], string> = { done: '#7f8fa6', running: '#1f9d55', planned: '#3a6ee8' };
type Labels = Record<(typeof KINDS)[number] | 'now' | 'order' | 'operation' | 'start' | 'end', string>;

/** The height a Gantt needs for its lanes (one row each, the axes and legend around). */
export const ganttHeight = (gantt: Gantt): string => `${Math.max(3, gantt.lanes.length) * 30 + 90}px`;

/**
 * A Gantt as an ECharts custom series per kind: each operation a rectangle on its lane from its start to
 * its end (planned ones lighter, with a dashed edge), its order written inside when it fits; a line at now.
 */
export const ganttOption = (gantt: Gantt, labels: Labels, locale: string): ChartOption => {
  const lane = new Map(gantt.lanes.map((l, i) => [l, i]));
  const series = KINDS.map((kind): CustomSeriesOption => ({
    type: 'custom',
    name: labels[kind],
    color: COLORS[kind],
    encode: { x: [1, 2], y: 0 },
    data: gantt.bars
      .filter((b) => b.kind === kind)
      .map((b) => [
        lane.get(b.lane) ?? 0,
        Date.parse(b.start),
        Date.parse(b.end),
        b.orderId,
        b.operationId,
        b.productName ?? b.product ?? '',
      ]),
    renderItem: (params, api) => {
      const [x0, y] = api.coord([api.value(1), api.value(0)]) as [number, number];
      const [x1] = api.coord([api.value(2), api.value(0)]) as [number, number];
      const height = (api.size?.([0, 1]) as number[])[1] ?? 20;
      const box = params.coordSys as unknown as { x: number; y: number; width: number; height: number };
      const left = Math.max(x0, box.x);
      // an operation started and completed at once still shows: 2 px
      const right = Math.min(Math.max(x1, x0 + 2), box.x + box.width);
      if (right <= left) return null;
      const h = height * 0.7;
      const width = right - left;
      const planned = kind === 'planned';
      const style = {
        fill: planned ? 'rgba(58,110,232,0.35)' : COLORS[kind],
        stroke: planned ? COLORS.planned : '#fff',
        lineWidth: 1,
        ...(planned ? { lineDash: [4, 2] } : {}),
      };
      // an order id's end tells orders apart (their beginnings are often one schedule's prefix)
      const id = String(api.value(3));
      const text = id.length > 10 ? `…${id.slice(-8)}` : id;
      return {
        type: 'rect' as const,
        shape: { x: left, y: y - h / 2, width, height: h, r: 2 },
        style,
        ...(width > 46
          ? {
              textContent: {
                type: 'text' as const,
                style: {
                  text,
                  fill: planned ? '#163a8a' : '#fff',
                  fontSize: 11,
                  width: width - 6,
                  overflow: 'truncate' as const,
                },
              },
              textConfig: { position: 'inside' as const },
            }
          : {}),
      };
    },
    ...(kind === 'planned'
      ? {
          markLine: {
            symbol: 'none',
            silent: true,
            lineStyle: { color: '#c0392b', type: 'solid', width: 2 },
            label: { formatter: labels.now, color: '#c0392b' },
            data: [{ xAxis: Date.parse(gantt.now) }],
          },
        }
      : {}),
  }));
  return {
    animation: false,
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 34, bottom: 28, containLabel: true },
    tooltip: {
      formatter: (p: unknown) => {
        const v = (p as { value: [number, number, number, string, string, string]; seriesName: string }).value;
        const name = (p as { seriesName: string }).seriesName;
        return [
          `<b>${name}</b>`,
          `${labels.order}: ${v[3]} · ${v[5]}`,
          `${labels.operation}: ${v[4]}`,
          `${labels.start}: ${formatDateTime(v[1], locale)}`,
          `${labels.end}: ${formatDateTime(v[2], locale)}`,
        ].join('<br>');
      },
    },
    xAxis: {
      type: 'time',
      min: Date.parse(gantt.from),
      axisLabel: { hideOverlap: true, formatter: (value: number) => formatDateTime(value, locale).slice(-5) },
    },
    yAxis: { type: 'category', data: gantt.lanes, inverse: true, axisTick: { show: false } },
    dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'weakFilter' }],
    series,
  };
};
