import type { InjectionKey } from 'vue';
import { createI18n } from 'vue-i18n';
import { loadOfficeMessagesEn, officeMessagesZh } from '../office/messages';
import { zhCN } from './zh-CN';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
const KEY = 'mes.locale';

// the PDA's messages and the office's (an area each, under its own key)
const zh = { ...zhCN, ...officeMessagesZh };
type Messages = typeof zh;
// English joins the messages when first chosen (useLocale)
const createAppI18nWith = (locale: Locale) =>
  createI18n<[Messages], Locale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'zh-CN',
    messages: { 'zh-CN': zh } as Record<Locale, Messages>,
  });
export type AppI18n = ReturnType<typeof createAppI18nWith>;
export const I18N: InjectionKey<AppI18n> = Symbol('i18n');

/** Loads English when first wanted: zh-CN, the default, is the only language in the first download. */
export const useLocale = async (i18n: AppI18n, storage: Storage, locale: Locale): Promise<void> => {
  if (locale === 'en' && !i18n.global.availableLocales.includes('en'))
    i18n.global.setLocaleMessage('en', { ...(await import('./en')).en, ...(await loadOfficeMessagesEn()) });
  i18n.global.locale.value = locale;
  storage.setItem(KEY, locale);
  document.documentElement.lang = locale;
};

/** zh-CN unless the operator chose English on this device. */
export const createAppI18n = (storage: Storage): AppI18n => {
  const i18n = createAppI18nWith('zh-CN');
  document.documentElement.lang = 'zh-CN';
  if (storage.getItem(KEY) === 'en') void useLocale(i18n, storage, 'en');
  return i18n;
};
