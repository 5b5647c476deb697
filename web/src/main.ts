// first: starts reading my work before the rest is evaluated
import { fetchWithPrefetch } from './composables/prefetch';
// then the routes, whose modules start loading an office screen's code (the office's frame, and the
// dashboard) before the messages and the rest are evaluated
import { createAppRouter } from './router';
import { createApp } from 'vue';
import App from './App.vue';
import { openStore } from './composables/idb';
import { createLive, LIVE } from './composables/live';
import { createMasterData, MASTER_DATA } from './composables/masterData';
import { createOfflineQueue, OUTBOX, type OutboxEntry } from './composables/offlineQueue';
import { createOrders, ORDERS } from './composables/orders';
import { createSession, SESSION } from './composables/session';
import { createMyWork, MY_WORK } from './composables/workList';
import { createAppI18n, I18N } from './i18n';
import { OFFICE_LIVE } from './office/live';
import { createOfficeSession, OFFICE_SESSION } from './office/session';
import './theme.css';

const whenIdle = (run: () => void): void => {
  if ('requestIdleCallback' in window) requestIdleCallback(run, { timeout: 3000 });
  else setTimeout(run, 1000);
};

const start = (): void => {
  const session = createSession(localStorage, fetchWithPrefetch);
  const i18n = createAppI18n(localStorage);
  const store = openStore<OutboxEntry>('mes-pda', 'outbox', 'seq');
  const outbox = createOfflineQueue({ api: session.api, store, online: () => navigator.onLine });
  const live = createLive({ api: session.api });
  const work = createMyWork({
    api: session.api,
    storage: localStorage,
    workCenters: () => session.state.operator?.workCenters ?? [],
  });
  // my work is read while the app draws itself
  if (session.state.operator) void work.refresh();
  const office = createOfficeSession(localStorage, fetchWithPrefetch);
  const masterData = createMasterData(session.api, session.capabilities, () => i18n.global.locale.value);
  const app = createApp(App)
    .use(i18n)
    .use(createAppRouter(session, office))
    .provide(I18N, i18n)
    .provide(SESSION, session)
    .provide(OFFICE_SESSION, office)
    .provide(OFFICE_LIVE, createLive({ api: office.api }))
    .provide(OUTBOX, outbox)
    .provide(LIVE, live)
    .provide(ORDERS, createOrders(session.api, localStorage))
    .provide(MASTER_DATA, masterData)
    .provide(MY_WORK, work);
  window.addEventListener('online', () => void outbox.flush());
  app.mount('#app');
  // once the first screen is up: what waits in the outbox is sent, and what the backbone offers (its
  // OpenAPI document, 160 KB) is read again; on the login screen that is wanted at once
  whenIdle(() => void outbox.flush());
  // the app shell's cache (the service worker and the ninety files it keeps) once the first screen is up:
  // on a slow phone its downloads would otherwise take the CPU and the link from the screen's own
  if ('serviceWorker' in navigator)
    whenIdle(() => void navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined));
  // the office's screens have a session of their own (cookie): the PDA's probe is for PDAs
  if (location.pathname.startsWith('/office')) return;
  if (session.state.operator) setTimeout(() => whenIdle(() => void session.probe()), 3000);
  else void session.probe();
};

start();
