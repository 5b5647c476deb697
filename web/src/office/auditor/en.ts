import type { auditorZh } from './zh-CN';

export const auditorEn: typeof auditorZh = {
  title: 'Audit',
};
