/** What the simulated plant makes and with what: two work centers, three products. */
export const MINUTE = 60_000;
export const HOUR = 3_600_000;

export const WORK_CENTERS = [
  { workCenter: 'WC-TURN', code: 'TURN', inspection: false, ratedKw: 15 },
  { workCenter: 'WC-MILL', code: 'MILL', inspection: true, ratedKw: 11 },
] as const;

export const PRODUCTS = ['SHAFT-20', 'FLANGE-8', 'HUB-12'];

/** The ideal cycle of a product at a work center: turning is slower than milling, bigger parts slower than small. */
export const idealSeconds = (product: string, workCenter: string): number =>
  60 * (workCenter === 'WC-TURN' ? 1.2 : 0.8) * (1 + PRODUCTS.indexOf(product) * 0.25);

export const iso = (ms: number): string => new Date(ms).toISOString();
