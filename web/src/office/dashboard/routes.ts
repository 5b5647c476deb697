import type { RouteRecordRaw } from 'vue-router';

const page = () => import('./DashboardPage.vue');

// opened on the dashboard: its code loads at once, while the router still asks who is logged in
// (its figures are asked even earlier: composables/prefetch.ts)
if (typeof location !== 'undefined' && location.pathname === '/office/dashboard') page().catch(() => undefined);

/** The dashboard area's screens: children of /office, shown to the roles `AREAS` names for it. */
export const dashboardRoutes: RouteRecordRaw[] = [{ path: 'dashboard', component: page, meta: { area: 'dashboard' } }];
