/** A name in Simplified Chinese and in English; at least one is given (schemas/common/defs.json `names`). */
export type Names = { 'zh-CN'?: string; en?: string };

/** The languages of names, labels and refusals; zh-CN is the default. */
export type Language = 'zh-CN' | 'en';

/** The name in the asked language, else in the other one. */
export const nameIn = (names: Names | undefined, language: Language): string | undefined =>
  names === undefined ? undefined : language === 'en' ? (names.en ?? names['zh-CN']) : (names['zh-CN'] ?? names.en);
