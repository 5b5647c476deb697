// The office's messages, an area each: zh-CN comes with the app, English when first chosen.
import { auditorZh } from './auditor/zh-CN';
import { dashboardZh } from './dashboard/zh-CN';
import { maintenanceZh } from './maintenance/zh-CN';
import { plannerZh } from './planner/zh-CN';
import { qualityZh } from './quality/zh-CN';
import { officeZh } from './zh-CN';

export const officeMessagesZh = {
  office: officeZh,
  dashboard: dashboardZh,
  planner: plannerZh,
  quality: qualityZh,
  maintenance: maintenanceZh,
  auditor: auditorZh,
};

export const loadOfficeMessagesEn = async (): Promise<typeof officeMessagesZh> => {
  const [office, dashboard, planner, quality, maintenance, auditor] = await Promise.all([
    import('./en'),
    import('./dashboard/en'),
    import('./planner/en'),
    import('./quality/en'),
    import('./maintenance/en'),
    import('./auditor/en'),
  ]);
  return {
    office: office.officeEn,
    dashboard: dashboard.dashboardEn,
    planner: planner.plannerEn,
    quality: quality.qualityEn,
    maintenance: maintenance.maintenanceEn,
    auditor: auditor.auditorEn,
  };
};
