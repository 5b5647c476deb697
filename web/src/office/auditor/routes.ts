import type { RouteRecordRaw } from 'vue-router';

/** The auditor area's screens: children of /office, shown to the roles `AREAS` names for it. */
export const auditorRoutes: RouteRecordRaw[] = [
  { path: 'audit', component: () => import('./AuditorPage.vue'), meta: { area: 'auditor' } },
];
