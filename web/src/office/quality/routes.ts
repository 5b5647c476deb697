import type { RouteRecordRaw } from 'vue-router';

/** The quality area's screens: children of /office, shown to the roles `AREAS` names for it. */
export const qualityRoutes: RouteRecordRaw[] = [
  { path: 'quality', component: () => import('./QualityPage.vue'), meta: { area: 'quality' } },
  {
    path: 'quality/inspections/:inspectionId',
    component: () => import('./QualityRecord.vue'),
    meta: { area: 'quality' },
  },
];
