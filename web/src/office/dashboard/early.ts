// The dashboard's first answer, asked while the app's code is still loading: a cold start on a phone
// spends most of its time evaluating scripts, and the figures need only the session cookie.
const PERIODS = ['shift', 'day', 'week'];
// kept from the login (session.ts): someone logged in on this browser, whose cookie the backbone will check
const CSRF = 'mes.office.csrf';

let early: { query: string; answer: Promise<unknown> } | undefined;

/** The dashboard's query for a location's parameters (scope and period; the server checks them). */
export const dashboardQuery = (scope: string | null | undefined, period: string | null | undefined): string =>
  new URLSearchParams({
    scope: scope ?? 'plant',
    period: period && PERIODS.includes(period) ? period : 'day',
  }).toString();

/** Starts reading the dashboard when the page opened is the dashboard and a person has logged in here. */
export const prefetchDashboard = (screen: () => Promise<unknown>): void => {
  if (typeof location === 'undefined' || location.pathname !== '/office/dashboard') return;
  if (!localStorage.getItem(CSRF)) return;
  // the screen's code too, while the router still asks who is logged in
  screen().catch(() => undefined);
  const params = new URLSearchParams(location.search);
  const query = dashboardQuery(params.get('scope'), params.get('period'));
  const answer = fetch(`/api/dashboard?${query}`, {
    headers: { accept: 'application/json' },
    credentials: 'same-origin',
    cache: 'no-store',
  }).then((response) => (response.ok ? response.json() : Promise.reject(new Error(`HTTP ${response.status}`))));
  answer.catch(() => undefined); // whoever takes it sees the failure
  early = { query, answer };
};

/** The early answer for this query, once; undefined when none was asked. */
export const takeEarly = (query: string): Promise<unknown> | undefined => {
  if (early?.query !== query) return undefined;
  const { answer } = early;
  early = undefined;
  return answer;
};
