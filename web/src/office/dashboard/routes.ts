import type { RouteRecordRaw } from 'vue-router';
import { prefetchDashboard } from './early';

// at import (with the router, before any screen's code loads): the dashboard's figures are asked at once
prefetchDashboard();

/** The dashboard area's screens: children of /office, shown to the roles `AREAS` names for it. */
export const dashboardRoutes: RouteRecordRaw[] = [
  { path: 'dashboard', component: () => import('./DashboardPage.vue'), meta: { area: 'dashboard' } },
];
