import { createHmac } from 'node:crypto';
import { isOfType } from '../../app/eventStore';
import type { AlertKind } from '../../domain/alert';
import type { AlertRaisedV1 } from '../../domain/generated';
import type { Destination, OutboxFeed } from './outbox';

/** A group robot alerts are sent to (ALERTS_FILE's `webhooks`), its secret read from its file. */
export type RobotWebhook = {
  name: string;
  kind: 'wecom' | 'dingtalk';
  url: string;
  /** DingTalk's signing secret: each call carries `timestamp` and `sign`. */
  secret?: string;
  alerts: readonly AlertKind[];
};

const ALERT_EVENTS = ['AlertRaised'] as const;

/** The alerts' outbox follows AlertRaised: one message per alert, its key the event's, its body the alert. */
export const alertFeed: OutboxFeed = {
  eventTypes: ALERT_EVENTS,
  messagesOf(event) {
    if (!isOfType(ALERT_EVENTS, event)) return [];
    return [
      {
        key: `${event.id}:alert`,
        system: 'alert',
        kind: event.data.kind,
        orderId: event.data.alertId,
        contentType: 'application/json',
        body: JSON.stringify(event.data),
      },
    ];
  },
};

const TITLES: Record<AlertKind, { zh: string; en: string }> = {
  'maintenance-overdue': { zh: '保养逾期', en: 'Maintenance overdue' },
  'machine-down': { zh: '设备停机', en: 'Machine down' },
  'inspection-failed': { zh: '检验不合格', en: 'Inspection failed' },
  'equipment-health': { zh: '设备健康劣化', en: 'Equipment health degraded' },
};
const SEVERITIES: Record<AlertRaisedV1['severity'], string> = { critical: '严重 critical', warning: '警告 warning' };

/** The robot's markdown: a title in both languages, the Chinese sentence, the English one below. */
export const robotMarkdown = (alert: AlertRaisedV1): { title: string; text: string } => {
  const title = `${TITLES[alert.kind].zh} ${TITLES[alert.kind].en}`;
  return {
    title,
    text: `### 【${SEVERITIES[alert.severity]}】${title}\n\n${alert.text['zh-CN']}\n\n${alert.text.en}\n\n> ${alert.alertId}`,
  };
};

/** The documented bodies: WeCom `{msgtype: markdown, markdown: {content}}`, DingTalk `{msgtype: markdown, markdown: {title, text}}`. */
export const robotBody = (kind: RobotWebhook['kind'], alert: AlertRaisedV1): string => {
  const { title, text } = robotMarkdown(alert);
  return JSON.stringify(
    kind === 'wecom'
      ? { msgtype: 'markdown', markdown: { content: text } }
      : { msgtype: 'markdown', markdown: { title, text } },
  );
};

/** DingTalk's signature: base64 of HMAC-SHA256 over `timestamp\nsecret` keyed by the secret. */
export const dingTalkSign = (timestamp: number, secret: string): string =>
  createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');

/** The webhook's URL with its key or token removed: what a log line or an outbox error may show. */
const shown = (url: URL): string => `${url.origin}${url.pathname}`;

/**
 * A WeCom group robot or a DingTalk custom robot as an outbox destination: it takes the alert kinds
 * it subscribes to, POSTs the robot's JSON (DingTalk signed at send time, its timestamp must be
 * recent), and counts as delivered only a 2xx whose JSON says `errcode: 0`; anything else (a 500, a
 * rate limit's errcode) is a failure the outbox retries.
 */
export const robotDestination = (webhook: RobotWebhook, timeoutMs = 10_000): Destination => ({
  name: webhook.name,
  systems: ['alert'],
  accepts: (message) => (webhook.alerts as readonly string[]).includes(message.kind),
  async send(message) {
    const url = new URL(webhook.url);
    if (webhook.kind === 'dingtalk' && webhook.secret) {
      const timestamp = Date.now();
      url.searchParams.set('timestamp', String(timestamp));
      url.searchParams.set('sign', dingTalkSign(timestamp, webhook.secret));
    }
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: robotBody(webhook.kind, JSON.parse(message.body) as AlertRaisedV1),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${shown(url)} answered ${response.status}`);
    let answer: { errcode?: unknown; errmsg?: unknown } | undefined;
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      throw new Error(`${shown(url)} answered ${response.status} without JSON`);
    }
    if (answer?.errcode !== 0) {
      const why = typeof answer?.errmsg === 'string' ? answer.errmsg : '';
      throw new Error(`${shown(url)} answered errcode ${JSON.stringify(answer?.errcode)}: ${why}`.slice(0, 300));
    }
  },
});
