/** A small Prometheus text-format registry: counters and latency histograms, labelled. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const labelText = (labels: Record<string, string>): string => {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',')}}`;
};

type Series = { buckets: number[]; sum: number; count: number };

export const createMetrics = () => {
  const counters = new Map<string, { help: string; values: Map<string, number> }>();
  const histograms = new Map<
    string,
    { help: string; series: Map<string, { buckets: number[]; sum: number; count: number }> }
  >();
  const count = (name: string, help: string, labels: Record<string, string> = {}, by = 1): void => {
    const counter = counters.get(name) ?? { help, values: new Map() };
    const key = labelText(labels);
    counter.values.set(key, (counter.values.get(key) ?? 0) + by);
    counters.set(name, counter);
  };
  const observe = (name: string, help: string, labels: Record<string, string>, seconds: number): void => {
    const histogram = histograms.get(name) ?? { help, series: new Map<string, Series>() };
    const key = labelText(labels);
    const series: Series = histogram.series.get(key) ?? { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
    BUCKETS.forEach((le, i) => {
      if (seconds <= le) series.buckets[i] = (series.buckets[i] as number) + 1;
    });
    series.sum += seconds;
    series.count += 1;
    histogram.series.set(key, series);
    histograms.set(name, histogram);
  };
  const render = (
    gauges: Array<{ name: string; help: string; values: Array<[Record<string, string>, number]> }>,
  ): string => {
    const lines: string[] = [];
    for (const [name, counter] of counters) {
      lines.push(`# HELP ${name} ${counter.help}`, `# TYPE ${name} counter`);
      for (const [labels, value] of counter.values) lines.push(`${name}${labels} ${value}`);
    }
    for (const [name, histogram] of histograms) {
      lines.push(`# HELP ${name} ${histogram.help}`, `# TYPE ${name} histogram`);
      for (const [labels, series] of histogram.series) {
        const inner = labels.slice(1, -1);
        const withLe = (le: string) => `{${inner ? `${inner},` : ''}le="${le}"}`;
        BUCKETS.forEach((le, i) => lines.push(`${name}_bucket${withLe(String(le))} ${series.buckets[i]}`));
        lines.push(
          `${name}_bucket${withLe('+Inf')} ${series.count}`,
          `${name}_sum${labels} ${series.sum}`,
          `${name}_count${labels} ${series.count}`,
        );
      }
    }
    for (const gauge of gauges) {
      lines.push(`# HELP ${gauge.name} ${gauge.help}`, `# TYPE ${gauge.name} gauge`);
      for (const [labels, value] of gauge.values) lines.push(`${gauge.name}${labelText(labels)} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  };
  return { count, observe, render };
};

export type Metrics = ReturnType<typeof createMetrics>;
