import type { RouteRecordRaw, Router } from 'vue-router';
import { areaOf } from './areas';
import { auditorRoutes } from './auditor/routes';
import { dashboardRoutes } from './dashboard/routes';
import { maintenanceRoutes } from './maintenance/routes';
import { plannerRoutes } from './planner/routes';
import { qualityRoutes } from './quality/routes';
import type { OfficeSession } from './session';

const layout = () => import('./OfficeLayout.vue');

// opened on an office screen: the office's frame loads at once, while the router asks who is logged in
if (typeof location !== 'undefined' && /^\/office\/(?!login)/.test(location.pathname)) layout().catch(() => undefined);

/** The office's screens under /office, each area's routes from its own folder. */
export const officeRoutes: RouteRecordRaw[] = [
  { path: '/office/login', component: () => import('./OfficeLogin.vue') },
  {
    path: '/office',
    component: layout,
    meta: { office: true },
    children: [
      { path: '', redirect: '/office/dashboard' },
      ...dashboardRoutes,
      ...plannerRoutes,
      ...qualityRoutes,
      ...maintenanceRoutes,
      ...auditorRoutes,
    ],
  },
];

/**
 * An office screen needs a person logged in whose roles the screen's area allows; anyone else goes to
 * the login, or back to the dashboard (every office role reads it). The backbone checks each call again.
 */
export const guardOffice = (router: Router, session: OfficeSession): void => {
  router.beforeEach(async (to) => {
    if (!to.matched.some((r) => r.meta['office'])) return true;
    const user = await session.probe();
    if (!user) return { path: '/office/login', query: { next: to.fullPath } };
    const area = areaOf(to.matched.map((r) => r.meta['area']).find(Boolean));
    if (area && !session.has(area.roles))
      return to.path === '/office/dashboard'
        ? { path: '/office/login' }
        : { path: '/office/dashboard', query: { forbidden: area.key } };
    return true;
  });
};
