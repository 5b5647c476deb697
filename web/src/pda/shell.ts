// The PDA's first screen (my work) and its offline banner: chunks of their own, so that an office
// screen does not download and evaluate them (nor their Vant components) before it shows anything.
// On any other path they start loading as the app's code is evaluated, in parallel with the rest:
// the work list shows as soon as before, and the banner is there before the PDA can go offline.

export const loadWorkList = () => import('./WorkListPage.vue');
export const loadPendingBar = () => import('./PendingBar.vue');

if (typeof location !== 'undefined' && !location.pathname.startsWith('/office')) {
  loadWorkList().catch(() => undefined);
  loadPendingBar().catch(() => undefined);
}
