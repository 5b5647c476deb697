import type { RouteRecordRaw } from 'vue-router';

/** The dashboard area's screens: children of /office, shown to the roles `AREAS` names for it. */
export const dashboardRoutes: RouteRecordRaw[] = [
  { path: 'dashboard', component: () => import('./DashboardPage.vue'), meta: { area: 'dashboard' } },
];
