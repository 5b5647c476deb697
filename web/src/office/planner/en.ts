import type { plannerZh } from './zh-CN';

export const plannerEn: typeof plannerZh = {
  title: 'Planning',
};
