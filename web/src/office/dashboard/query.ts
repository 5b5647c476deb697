const PERIODS = ['shift', 'day', 'week'];

/** The dashboard's query for a location's parameters (scope and period; the server checks them). */
export const dashboardQuery = (scope: string | null | undefined, period: string | null | undefined): string =>
  new URLSearchParams({
    scope: scope ?? 'plant',
    period: period && PERIODS.includes(period) ? period : 'day',
  }).toString();
