import type { maintenanceZh } from './zh-CN';

export const maintenanceEn: typeof maintenanceZh = {
  title: 'Maintenance',
};
