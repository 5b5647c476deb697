import type { dashboardZh } from './zh-CN';

export const dashboardEn: typeof dashboardZh = {
  title: 'Dashboard',
};
