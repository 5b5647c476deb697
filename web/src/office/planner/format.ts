/** The plant's time zone (the backbone's PLANT_TIME_ZONE default): dates are shown as the plant lives them. */
export const PLANT_ZONE = 'Asia/Shanghai';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** `11-30 16:05` in the person's language, in the plant's time zone. */
export const formatDateTime = (iso: string | number, locale: string): string => {
  let format = formatters.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      timeZone: PLANT_ZONE,
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
    formatters.set(locale, format);
  }
  return format.format(typeof iso === 'number' ? iso : Date.parse(iso));
};

export const formatNumber = (n: number, locale: string, digits = 0): string =>
  new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n);
