import { computed, getCurrentScope, onScopeDispose, ref, type Ref } from 'vue';
import type { ApiClient } from '../../composables/api';
import { connectLive } from '../../composables/liveEvents';
import { en, zhCN } from './i18n';

export type AlertKind = 'maintenance-overdue' | 'machine-down' | 'inspection-failed' | 'equipment-health';

/** An alert as the backbone raised it (event AlertRaised), with its log position. */
export type Alert = {
  alertId: string;
  kind: AlertKind;
  severity: 'warning' | 'critical';
  subject: Record<string, string>;
  text: { 'zh-CN': string; en: string };
  since: string;
  raisedAt: string;
  position?: string;
};

export type AlertsStatus = 'off' | 'connecting' | 'live' | 'reconnecting' | 'unavailable';
export type AlertPermission = NotificationPermission | 'unsupported';

/** The browser's notifications, or what a test puts in their place. */
export type AlertNotifier = {
  permission(): AlertPermission;
  /** Asks the person; browsers allow it only from a gesture (a tap or click). */
  request(): Promise<AlertPermission>;
  show(title: string, options: { body: string; tag: string }): void;
};

/** The Notification API where the browser has one (secure contexts only). */
export const browserNotifier = (): AlertNotifier => {
  const api = typeof window !== 'undefined' && 'Notification' in window ? window.Notification : undefined;
  return {
    permission: () => api?.permission ?? 'unsupported',
    request: async () => (api ? api.requestPermission() : 'unsupported'),
    show: (title, options) => {
      // the tag: the same alert in two tabs is one notification
      if (api?.permission === 'granted') new api(title, { ...options, lang: document.documentElement.lang });
    },
  };
};

const READ_KEY = 'mes.alerts.read';
const REMEMBER_READ = 200;

/**
 * The person's alerts: the recent ones (`GET /api/alerts`, the kinds their roles subscribe to), then
 * each new one from `GET /api/alerts/stream` (resumed with Last-Event-ID after a drop), shown as a
 * browser notification once the person allowed them. `unread` counts what they have not marked read
 * (kept on this device). Stops with the component (or scope) that called it.
 */
export const useAlerts = (deps: {
  api: ApiClient;
  /** The language texts and notifications are in: `zh-CN` (default) or `en`. */
  locale: () => string;
  notifier?: AlertNotifier;
  storage?: Pick<Storage, 'getItem' | 'setItem'>;
  fetcher?: typeof fetch;
  /** Wait before reconnecting. Default 3 s. */
  retryMs?: number;
  /** How many alerts the list keeps. Default 50. */
  keep?: number;
  /** Start at once. Default true. */
  autoStart?: boolean;
}) => {
  const notifier = deps.notifier ?? browserNotifier();
  const storage = deps.storage ?? (typeof localStorage === 'undefined' ? undefined : localStorage);
  const fetcher = deps.fetcher ?? fetch.bind(globalThis);
  const keep = deps.keep ?? 50;
  const items: Ref<Alert[]> = ref([]);
  const status: Ref<AlertsStatus> = ref('off');
  // asked of the browser when the alerts start (the office's frame starts them after its first screen)
  const permission: Ref<AlertPermission> = ref('default');
  const read: Ref<string[]> = ref(
    (() => {
      try {
        return JSON.parse(storage?.getItem(READ_KEY) ?? '[]') as string[];
      } catch {
        return [];
      }
    })(),
  );
  const unread = computed(() => items.value.filter((a) => !read.value.includes(a.alertId)).length);
  let connection: { close(): void } | undefined;
  let started = false;
  let last: string | undefined;

  const messages = () => (deps.locale() === 'en' ? en : zhCN).alerts;
  /** The alert's sentence in the person's language. */
  const textOf = (alert: Alert): string => (deps.locale() === 'en' ? alert.text.en : alert.text['zh-CN']);
  const titleOf = (alert: Alert): string =>
    `${messages().severity[alert.severity]} · ${messages().kind[alert.kind] ?? alert.kind}`;

  const add = (alert: Alert, fresh: boolean): void => {
    if (items.value.some((a) => a.alertId === alert.alertId)) return;
    items.value = [alert, ...items.value].slice(0, keep);
    if (fresh && !read.value.includes(alert.alertId) && permission.value === 'granted')
      notifier.show(titleOf(alert), { body: textOf(alert), tag: alert.alertId });
  };
  const persistRead = (ids: string[]): void => {
    read.value = ids.slice(-REMEMBER_READ);
    storage?.setItem(READ_KEY, JSON.stringify(read.value));
  };

  /** Reads the recent alerts again (they are not notified: the person sees them in the list). */
  const refresh = async (): Promise<void> => {
    const page = await deps.api.get<{ items: Alert[] }>('/api/alerts?limit=50');
    for (const alert of [...page.items].reverse()) add(alert, false);
    // the stream follows on from the newest listed alert; what came in between arrives again, once
    last = last ?? page.items[0]?.position;
  };

  const stop = (): void => {
    started = false;
    connection?.close();
    connection = undefined;
    status.value = 'off';
  };

  /** The recent alerts, then each new one from the alerts' stream (the app's live stream, on its own route). */
  const start = async (): Promise<void> => {
    if (started) return;
    started = true;
    permission.value = notifier.permission();
    status.value = 'connecting';
    await refresh().catch(() => undefined);
    if (!started) return;
    connection = connectLive<Alert>({
      path: '/api/alerts/stream',
      credentials: deps.api.credentials,
      ...(last ? { after: last } : {}),
      onEvent: (alert) => add(alert, true),
      onStatus: (s) => void (status.value = s),
      fetcher,
      ...(deps.retryMs ? { retryMs: deps.retryMs } : {}),
    });
  };

  if (getCurrentScope()) onScopeDispose(stop);
  if (deps.autoStart !== false) void start();

  return {
    items,
    unread,
    status,
    permission,
    textOf,
    titleOf,
    start,
    stop,
    refresh,
    markRead: (alertId: string) => persistRead([...read.value.filter((id) => id !== alertId), alertId]),
    markAllRead: () => persistRead([...new Set([...read.value, ...items.value.map((a) => a.alertId)])]),
    /** Call from a tap or click: browsers ask the person only then. */
    async requestPermission(): Promise<AlertPermission> {
      permission.value = await notifier.request();
      return permission.value;
    },
  };
};

export type Alerts = ReturnType<typeof useAlerts>;
