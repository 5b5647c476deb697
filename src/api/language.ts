import type { Request } from 'express';
import type { Language } from '../domain/names';

/** Accept-Language values already negotiated, and their language (a few at most, in practice). */
const known = new Map<string | undefined, Language>();
const KNOWN_MAX = 100;

/**
 * The caller's language from Accept-Language: en when it prefers English, zh-CN otherwise (the default).
 * Each header value is negotiated once (express's negotiation parses the header at every call): browsers
 * of a plant send a handful of values, and a flood of others only clears what is remembered.
 */
export const languageOf = (req: Request): Language => {
  const header = req.headers['accept-language'];
  let language = known.get(header);
  if (language === undefined) {
    const best = req.acceptsLanguages('zh-CN', 'zh', 'en');
    language = typeof best === 'string' && best.startsWith('en') ? 'en' : 'zh-CN';
    if (known.size >= KNOWN_MAX) known.clear();
    known.set(header, language);
  }
  return language;
};
