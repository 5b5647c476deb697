import type { qualityZh } from './zh-CN';

export const qualityEn: typeof qualityZh = {
  title: 'Quality',
};
