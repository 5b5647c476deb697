// What the quality screens read from the backbone (the quality worklists and the Pareto) and how they show it.

export type Spec =
  | {
      name: string;
      kind: 'measured';
      names?: Record<string, string>;
      nominal?: number;
      lower?: number;
      upper?: number;
      unit?: string;
    }
  | { name: string; kind: 'attribute'; names?: Record<string, string> };

export type Inspection = {
  inspectionId: string;
  orderId: string | null;
  operationId: string | null;
  lotId: string | null;
  product: string | null;
  quantity: number | null;
  unit: string | null;
  reason: string;
  reinspectionOf: string | null;
  characteristics: string[];
  specs?: Spec[];
  requestedAt: string;
};

export type DispositionKind = 'rework' | 'scrap' | 'use-as-is' | 'return-to-supplier';
export const DISPOSITIONS: readonly DispositionKind[] = ['rework', 'scrap', 'use-as-is', 'return-to-supplier'];

export type Nonconformance = {
  nonconformanceId: string;
  orderId: string | null;
  operationId: string | null;
  lotId: string | null;
  product: string | null;
  inspectionId: string | null;
  source: string;
  failed: Array<{ characteristic: string; value?: number; passed: boolean }>;
  quantity: number | null;
  unit: string | null;
  state: 'open' | 'rework' | 'closed';
  dispositions: Array<{ disposition: DispositionKind; quantity: number | null }>;
  raisedAt: string;
};

export type Hold = {
  orderId: string;
  holdId: string;
  kind: 'inspection' | 'nonconformance';
  operationId: string | null;
  since: string;
};

export type ParetoRow = {
  kind?: string;
  reason?: string;
  characteristic?: string;
  label?: string;
  units?: number;
  failures?: number;
  cumulativeShare: number;
};

/** The plant's time zone (the API's answers are instants; the plant reads them in its own time). */
export const PLANT_ZONE = 'Asia/Shanghai';

export const formatInstant = (iso: string, locale: string): string =>
  new Intl.DateTimeFormat(locale, {
    timeZone: PLANT_ZONE,
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso));

export const formatNumber = (value: number, locale: string): string =>
  new Intl.NumberFormat(locale, { maximumFractionDigits: 4 }).format(value);

/** A measured value against its limits: 'above', 'below', or undefined when within them (or no value). */
export const outOfLimits = (spec: Spec, value: number | undefined): 'above' | 'below' | undefined => {
  if (spec.kind !== 'measured' || value === undefined || Number.isNaN(value)) return undefined;
  if (spec.upper !== undefined && value > spec.upper) return 'above';
  if (spec.lower !== undefined && value < spec.lower) return 'below';
  return undefined;
};

/**
 * The units a disposition decides now: those not yet disposed, else those in rework (a failed
 * re-inspection returns them), as the backbone counts them.
 */
export const owedOf = (nc: Nonconformance): number | null => {
  if (nc.quantity === null) return null;
  const decided = nc.dispositions.reduce((sum, d) => sum + (d.quantity ?? 0), 0);
  const due = nc.quantity - decided;
  if (due > 1e-9) return due;
  const reworking = nc.dispositions.filter((d) => d.disposition === 'rework').at(-1)?.quantity ?? 0;
  return reworking;
};

/** A characteristic's name in the reader's language (its code when it has none). */
export const specName = (spec: Spec, locale: string): string =>
  spec.names?.[locale] ?? spec.names?.['zh-CN'] ?? spec.name;
