import type { Request } from 'express';
import type { Language } from '../domain/names';

/** The caller's language from Accept-Language: en when it prefers English, zh-CN otherwise (the default). */
export const languageOf = (req: Request): Language => {
  const best = req.acceptsLanguages('zh-CN', 'zh', 'en');
  return typeof best === 'string' && best.startsWith('en') ? 'en' : 'zh-CN';
};
