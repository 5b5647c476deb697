import type { RouteRecordRaw } from 'vue-router';

/** The planner area's screens: children of /office, shown to the roles `AREAS` names for it. */
export const plannerRoutes: RouteRecordRaw[] = [
  {
    path: 'planner',
    component: () => import('./PlannerPage.vue'),
    meta: { area: 'planner' },
    children: [
      { path: '', component: () => import('./OrdersScreen.vue') },
      { path: 'dispatch', component: () => import('./DispatchScreen.vue') },
      { path: 'gantt', component: () => import('./GanttScreen.vue') },
      { path: 'schedules', component: () => import('./ScheduleUpload.vue') },
    ],
  },
];
