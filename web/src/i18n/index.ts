import { createI18n } from 'vue-i18n';
import { en } from './en';
import { zhCN } from './zh-CN';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
const KEY = 'mes.locale';

/** zh-CN unless the operator chose English on this device. */
export const createAppI18n = (storage: Storage) => {
  const saved = storage.getItem(KEY);
  const locale: Locale = saved === 'en' ? 'en' : 'zh-CN';
  document.documentElement.lang = locale;
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: 'zh-CN',
    messages: { 'zh-CN': zhCN, en },
  });
};

export const saveLocale = (storage: Storage, locale: Locale): void => {
  storage.setItem(KEY, locale);
  document.documentElement.lang = locale;
};
