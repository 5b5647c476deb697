import type { RouteRecordRaw } from 'vue-router';

/** The auditor area's screens: children of /office, shown to the roles `AREAS` names for it. */
export const auditorRoutes: RouteRecordRaw[] = [
  { path: 'audit', component: () => import('./AuditorPage.vue'), meta: { area: 'auditor' } },
  { path: 'audit/verify', component: () => import('./AuditVerify.vue'), meta: { area: 'auditor' } },
  { path: 'audit/streams/:streamId', component: () => import('./AuditStream.vue'), meta: { area: 'auditor' } },
];
