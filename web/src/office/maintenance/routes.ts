import type { RouteRecordRaw } from 'vue-router';

/** The maintenance area's screens: children of /office, shown to the roles `AREAS` names for it. */
export const maintenanceRoutes: RouteRecordRaw[] = [
  { path: 'maintenance', component: () => import('./MaintenancePage.vue'), meta: { area: 'maintenance' } },
  {
    path: 'maintenance/machines/:machineId',
    component: () => import('./MachinePage.vue'),
    meta: { area: 'maintenance' },
  },
];
