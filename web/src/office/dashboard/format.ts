// Figures as the dashboard shows them: the read models' values, formatted in the person's locale (never recomputed).
const formats = new Map<string, Intl.NumberFormat>();
const formatOf = (locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat => {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) formats.set(key, (format = new Intl.NumberFormat(locale, options)));
  return format;
};

/** A ratio as a percentage with one decimal (12.3%); a dash when it cannot be known (null). */
export const percent = (value: number | null | undefined, locale: string): string =>
  value === null || value === undefined
    ? '—'
    : formatOf(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);

/** A count or quantity, with at most `digits` decimals. */
export const amount = (value: number | null | undefined, locale: string, digits = 0): string =>
  value === null || value === undefined ? '—' : formatOf(locale, { maximumFractionDigits: digits }).format(value);

/** Seconds as hours with one decimal. */
export const hours = (seconds: number | null | undefined, locale: string): string =>
  seconds === null || seconds === undefined ? '—' : amount(seconds / 3600, locale, 1);

const times = new Map<string, Intl.DateTimeFormat>();
/** An instant as the plant's local time (HH:mm). */
export const clock = (iso: string, locale: string, timeZone: string): string => {
  const key = `${locale}|${timeZone}`;
  let format = times.get(key);
  if (!format)
    times.set(
      key,
      (format = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hour12: false, timeZone })),
    );
  return format.format(new Date(iso));
};
