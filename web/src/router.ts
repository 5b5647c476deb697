import { createRouter, createWebHistory } from 'vue-router';
import type { Session } from './composables/session';
import { guardOffice, officeRoutes } from './office/routes';
import type { OfficeSession } from './office/session';
// the screen an operator opens the app on comes with the app; the others load when first opened
import WorkListPage from './pda/WorkListPage.vue';

/** The PDA's screens; labels need only the device key (a planner's browser); the office's under /office. */
export const createAppRouter = (session: Session, office: OfficeSession) => {
  const router = createRouter({
    history: createWebHistory(),
    routes: [
      { path: '/', redirect: '/work' },
      { path: '/login', component: () => import('./pda/LoginPage.vue') },
      { path: '/work', component: WorkListPage, meta: { operator: true } },
      {
        path: '/op/:orderId/:operationId',
        component: () => import('./pda/OperationPage.vue'),
        props: true,
        meta: { operator: true },
      },
      { path: '/review', component: () => import('./pda/ReviewPage.vue'), meta: { operator: true } },
      { path: '/labels', component: () => import('./labels/LabelsPage.vue'), meta: { device: true } },
      ...officeRoutes,
      { path: '/:rest(.*)*', redirect: '/work' },
    ],
  });
  router.beforeEach((to) => {
    const { deviceKey, operator, mode } = session.state;
    if (to.meta['operator'] && !operator) return { path: '/login', query: { next: to.fullPath } };
    if (to.meta['device'] && !deviceKey && mode === 'key') return { path: '/login', query: { next: to.fullPath } };
    return true;
  });
  guardOffice(router, office);
  return router;
};
