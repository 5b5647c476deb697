import { deterministicUuid } from '../../lib/ids';
import type { Due } from '../maintenance';
import type { RaiseAlert } from './decide';
import type { AlertKind } from './events';

type AlertData = RaiseAlert['data'];

/**
 * An occurrence's id from what identifies it (a plan's due period, a machine's down period, an
 * inspection): readable when it fits the id pattern's 100 characters, else a name-based UUID.
 */
export const alertIdFor = (kind: AlertKind, ...parts: string[]): string => {
  // an offset's `+` is not an id character: the same instant, however written, is one occurrence
  const readable = [kind, ...parts].join(':').replace(/[^A-Za-z0-9._:@-]/g, '_');
  return readable.length <= 100 ? readable : `${kind}:${deterministicUuid(readable)}`;
};

/** `2026-11-30 16:00` in the plant's zone: what a person on a phone reads. */
export const plantTime = (iso: string, timeZone: string): string => {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
};

/** A free text cut to fit an alert's sentence (the event's texts are at most 500 characters). */
const clip = (text: string, max = 80): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
/** Both languages, each within the event's 500 characters. */
const texts = (zh: string, en: string): AlertData['text'] => ({ 'zh-CN': clip(zh, 500), en: clip(en, 500) });

const dueText = (due: Due, timeZone: string): { zh: string; en: string } => {
  if ('dueAt' in due) {
    const at = plantTime(due.dueAt, timeZone);
    return { zh: `已于 ${at} 到期`, en: `was due ${at}` };
  }
  if ('dueRunningHours' in due)
    return { zh: `已超过 ${due.dueRunningHours} 运行小时`, en: `was due at ${due.dueRunningHours} running hours` };
  if ('dueCount' in due) return { zh: `已超过计数 ${due.dueCount}`, en: `was due at count ${due.dueCount}` };
  return { zh: '已到期', en: 'is due' };
};

/** A maintenance plan past due: one alert per due period (the MaintenanceOverdue it follows). */
export const maintenanceOverdueAlert = (
  overdue: { planId: string; machineId: string; title: string; due: Due; raisedAt: string },
  timeZone: string,
): AlertData => {
  const { planId, machineId, title, due } = overdue;
  const key =
    'dueAt' in due
      ? new Date(due.dueAt).toISOString()
      : 'dueRunningHours' in due
        ? `h${due.dueRunningHours}`
        : 'dueCount' in due
          ? `c${due.dueCount}`
          : 'finished';
  const when = dueText(due, timeZone);
  return {
    alertId: alertIdFor('maintenance-overdue', planId, key),
    kind: 'maintenance-overdue',
    severity: 'warning',
    subject: { planId, machineId },
    text: texts(
      `保养逾期：设备 ${machineId} 的「${clip(title)}」（计划 ${planId}）${when.zh}，尚未执行。`,
      `Maintenance overdue: "${clip(title)}" (plan ${planId}) on machine ${machineId} ${when.en} and is not done.`,
    ),
    since: 'dueAt' in due ? due.dueAt : overdue.raisedAt,
  };
};

/** A machine down longer than the configured minutes: one alert per down period (from when it went down). */
export const machineDownAlert = (
  down: { machineId: string; since: string; reasonCode?: string },
  minutes: number,
  timeZone: string,
): AlertData => {
  const { machineId, since, reasonCode } = down;
  const at = plantTime(since, timeZone);
  return {
    alertId: alertIdFor('machine-down', machineId, new Date(since).toISOString()),
    kind: 'machine-down',
    severity: 'critical',
    subject: { machineId },
    text: texts(
      `设备停机：${machineId} 自 ${at} 起停机，已超过 ${minutes} 分钟${reasonCode ? `（原因：${reasonCode}）` : ''}。`,
      `Machine down: ${machineId} has been down since ${at}, more than ${minutes} minutes${reasonCode ? ` (reason: ${reasonCode})` : ''}.`,
    ),
    since,
  };
};

/** A failed inspection: one alert per inspection, naming what failed and where. */
export const inspectionFailedAlert = (failed: {
  inspectionId: string;
  orderId?: string;
  operationId?: string;
  lotId?: string;
  product?: string;
  failed: readonly { characteristic: string }[];
  decidedAt: string;
}): AlertData => {
  const { inspectionId, orderId, operationId, lotId, product } = failed;
  const names = failed.failed.slice(0, 10).map((r) => r.characteristic);
  const more = failed.failed.length > names.length ? ` …(+${failed.failed.length - names.length})` : '';
  const where = {
    zh: [
      orderId ? `订单 ${orderId}` : '',
      operationId ? `工序 ${operationId}` : '',
      lotId ? `批次 ${lotId}` : '',
      product ? `产品 ${product}` : '',
    ].filter(Boolean),
    en: [
      orderId ? `order ${orderId}` : '',
      operationId ? `operation ${operationId}` : '',
      lotId ? `lot ${lotId}` : '',
      product ? `product ${product}` : '',
    ].filter(Boolean),
  };
  return {
    alertId: alertIdFor('inspection-failed', inspectionId),
    kind: 'inspection-failed',
    severity: 'warning',
    subject: {
      inspectionId,
      ...(orderId ? { orderId } : {}),
      ...(operationId ? { operationId } : {}),
      ...(lotId ? { lotId } : {}),
      ...(product ? { product } : {}),
    },
    text: texts(
      `检验不合格：检验 ${inspectionId}${where.zh.length ? `（${where.zh.join('，')}）` : ''}${names.length ? `，不合格项：${names.join('、')}${more}` : ''}。`,
      `Inspection failed: ${inspectionId}${where.en.length ? ` (${where.en.join(', ')})` : ''}${names.length ? `; failed: ${names.join(', ')}${more}` : ''}.`,
    ),
    since: failed.decidedAt,
  };
};

/** A machine's health degraded: one alert per warning (an episode's), naming the signal and its trend. */
export const equipmentHealthAlert = (warning: {
  machineId: string;
  signal: string;
  index: number;
  current: number;
  baseline: { mean: number };
  slopePerHour: number;
  detectedAt: string;
}): AlertData => {
  const { machineId, signal, detectedAt } = warning;
  const num = (x: number): string => String(Math.round(x * 1000) / 1000);
  const [index, current, mean, slope] = [
    Math.round(warning.index),
    num(warning.current),
    num(warning.baseline.mean),
    num(warning.slopePerHour),
  ];
  return {
    alertId: alertIdFor('equipment-health', machineId, new Date(detectedAt).toISOString()),
    kind: 'equipment-health',
    severity: 'warning',
    subject: { machineId },
    text: texts(
      `设备健康劣化：${machineId} 的 ${clip(signal)} 偏离基线（当前 ${current}，基线 ${mean}，每小时 ${slope}），健康指数 ${index}。`,
      `Equipment health degraded: ${clip(signal)} on ${machineId} drifts from its baseline (now ${current}, baseline ${mean}, ${slope} per hour), health index ${index}.`,
    ),
    since: detectedAt,
  };
};
