const formats = new Map<string, Intl.DateTimeFormat>();

/** A due date as a PDA shows it: month, day, hour and minute in the device's zone (one formatter per locale: they are slow to make). */
export const formatDue = (iso: string, locale: string): string => {
  let format = formats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    formats.set(locale, format);
  }
  return format.format(new Date(iso));
};

/** Whole hours past a due date (0 when not past). */
export const hoursLate = (iso: string, now = Date.now()): number =>
  Math.max(0, Math.floor((now - Date.parse(iso)) / 3_600_000));
