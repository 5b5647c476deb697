import type { RouteRecordRaw } from 'vue-router';
import { prefetchDashboard } from './early';

const page = () => import('./DashboardPage.vue');

// at import (with the router, before any screen's code loads): the dashboard's figures are asked at once
prefetchDashboard(page);

/** The dashboard area's screens: children of /office, shown to the roles `AREAS` names for it. */
export const dashboardRoutes: RouteRecordRaw[] = [{ path: 'dashboard', component: page, meta: { area: 'dashboard' } }];
