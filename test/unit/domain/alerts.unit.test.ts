import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { dingTalkSign, robotBody } from '../../../src/adapters/integration/robots';
import { alertKindsFor, alertSubscriptionsOf } from '../../../src/app/alertSubscriptions';
import {
  alertDecider,
  alertIdFor,
  inspectionFailedAlert,
  machineDownAlert,
  maintenanceOverdueAlert,
  type RaiseAlert,
} from '../../../src/domain/alert';
import type { MachineEvent } from '../../../src/domain/machine';
import {
  alertRules,
  emptyOverdueView,
  evolveOverdueView,
  machineDownAlerts,
  type Trigger,
} from '../../../src/domain/processes';
import { meta, specFor } from '../../support/given';

const spec = specFor(alertDecider);
const SHANGHAI = 'Asia/Shanghai';

describe('alerts: one per occurrence, in zh-CN and en', () => {
  const data = machineDownAlert({ machineId: 'M1', since: '2026-11-25T08:00:00+08:00' }, 15, SHANGHAI);
  const raise: RaiseAlert = { type: 'RaiseAlert', data, meta: meta({ actor: 'process:alerts' }) };

  it('raises an alert the first time, and nothing for the same occurrence again', () => {
    spec
      .given([])
      .when(raise)
      .then([{ type: 'AlertRaised', data: { ...data, raisedAt: meta().now } }]);
    spec
      .given([{ type: 'AlertRaised', data: { ...data, raisedAt: meta().now } }])
      .when({ ...raise, meta: meta({ now: '2026-11-25T09:00:00.000Z' }) })
      .then([]);
  });

  it('names an occurrence the same however its instant is written, and within the id pattern', () => {
    expect(data.alertId).to.equal('machine-down:M1:2026-11-25T00:00:00.000Z');
    expect(machineDownAlert({ machineId: 'M1', since: '2026-11-25T00:00:00Z' }, 15, SHANGHAI).alertId).to.equal(
      data.alertId,
    );
    const long = alertIdFor('inspection-failed', 'I'.repeat(100));
    expect(long).to.match(/^inspection-failed:[0-9a-f-]{36}$/);
    expect(long).to.equal(alertIdFor('inspection-failed', 'I'.repeat(100)));
  });

  it('says what happened in the plant’s time, Chinese and English', () => {
    expect(data.text).to.deep.equal({
      'zh-CN': '设备停机：M1 自 2026-11-25 08:00 起停机，已超过 15 分钟。',
      en: 'Machine down: M1 has been down since 2026-11-25 08:00, more than 15 minutes.',
    });
    const overdue = maintenanceOverdueAlert(
      { planId: 'P1', machineId: 'M1', title: '润滑', due: { dueRunningHours: 500 }, raisedAt: '2026-11-25T00:00:00Z' },
      SHANGHAI,
    );
    expect(overdue).to.deep.include({ alertId: 'maintenance-overdue:P1:h500', severity: 'warning' });
    expect(overdue.text['zh-CN']).to.equal('保养逾期：设备 M1 的「润滑」（计划 P1）已超过 500 运行小时，尚未执行。');
    const failed = inspectionFailedAlert({
      inspectionId: 'I1',
      orderId: 'PO-1',
      operationId: '020',
      failed: Array.from({ length: 12 }, (_, i) => ({ characteristic: `c${i}` })),
      decidedAt: '2026-11-25T00:00:00Z',
    });
    expect(failed.text.en).to.equal(
      'Inspection failed: I1 (order PO-1, operation 020); failed: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 …(+2).',
    );
    const wordy = maintenanceOverdueAlert(
      {
        planId: 'P'.repeat(100),
        machineId: 'M'.repeat(100),
        title: '长'.repeat(500),
        due: { dueCount: 1 },
        raisedAt: '2026-11-25T00:00:00Z',
      },
      SHANGHAI,
    );
    expect(wordy.text['zh-CN'].length).to.be.at.most(500);
    expect(wordy.text.en.length).to.be.at.most(500);
  });

  it('finds machines down longer than the minutes at a tick, one directive each, not those back up', () => {
    const registered: MachineEvent = {
      type: 'MachineRegistered',
      data: {
        machineId: 'M1',
        code: 'M1',
        name: 'M1',
        type: 'press',
        workCenter: 'WC',
        ratedPowerKw: 1,
        idealCycleSeconds: [],
        registeredAt: '2026-11-25T00:00:00Z',
      },
    };
    const change = (state: 'down' | 'running', changedAt: string): MachineEvent => ({
      type: 'MachineStateChanged',
      data: { machineId: 'M1', state, previous: 'idle', changedAt, previousSeconds: 0 },
    });
    const down = [registered, change('down', '2026-11-25T01:00:00Z')].reduce(evolveOverdueView, emptyOverdueView);
    expect(machineDownAlerts(down, '2026-11-25T01:15:00Z', 15, SHANGHAI)).to.deep.equal([]);
    const due = machineDownAlerts(down, '2026-11-25T01:15:01Z', 15, SHANGHAI);
    expect(due.map((d) => [d.aggregate, d.id])).to.deep.equal([['alert', 'machine-down:M1:2026-11-25T01:00:00.000Z']]);
    const back = evolveOverdueView(down, change('running', '2026-11-25T01:10:00Z'));
    expect(machineDownAlerts(back, '2026-11-25T02:00:00Z', 15, SHANGHAI)).to.deep.equal([]);
  });

  it('raises from a failed inspection, but not from one before the rules started reading (an upgrade)', () => {
    const failed: Trigger = {
      type: 'InspectionFailed',
      data: {
        inspectionId: 'I9',
        lotId: 'L9',
        reason: 'incoming',
        failed: [{ characteristic: 'dia', value: 20.2, passed: false }],
        characteristics: [],
        decidedAt: '2026-11-25T08:00:00Z',
      },
      occurredAt: '2026-11-25T08:00:00Z',
    };
    const rules = alertRules(SHANGHAI, '2026-11-25T00:00:00Z');
    expect(rules(failed).map((d) => [d.aggregate, d.id, d.command.type])).to.deep.equal([
      ['alert', 'inspection-failed:I9', 'RaiseAlert'],
    ]);
    expect(rules({ ...failed, occurredAt: '2026-11-24T23:59:59Z' })).to.deep.equal([]);
  });

  it('gives each role its kinds by default, and a person theirs besides', () => {
    const defaults = alertSubscriptionsOf({});
    expect(alertKindsFor(defaults, { name: 'wang', roles: ['maintenance', 'quality'] })).to.deep.equal([
      'maintenance-overdue',
      'machine-down',
      'inspection-failed',
      'equipment-health',
    ]);
    expect(alertKindsFor(defaults, { name: 'li', roles: ['operator'] })).to.deep.equal([]);
    const configured = alertSubscriptionsOf({
      roles: { planner: ['machine-down'] },
      people: { li: ['inspection-failed'] },
    });
    expect(alertKindsFor(configured, { name: 'li', roles: ['planner', 'maintenance'] })).to.deep.equal([
      'machine-down',
      'inspection-failed',
    ]);
  });

  it('writes the robots’ documented bodies and DingTalk’s signature', () => {
    const alert = { ...data, raisedAt: '2026-11-25T00:16:00Z' };
    const wecom = JSON.parse(robotBody('wecom', alert)) as { msgtype: string; markdown: { content: string } };
    expect(wecom.msgtype).to.equal('markdown');
    expect(wecom.markdown.content).to.match(/^### 【严重 critical】设备停机 Machine down\n\n设备停机：M1/);
    const ding = JSON.parse(robotBody('dingtalk', alert)) as { markdown: { title: string; text: string } };
    expect(ding.markdown).to.deep.equal({ title: '设备停机 Machine down', text: wecom.markdown.content });
    const expected = createHmac('sha256', 'SECxyz').update('1764000000000\nSECxyz').digest('base64');
    expect(dingTalkSign(1_764_000_000_000, 'SECxyz')).to.equal(expected);
  });
});
