/** A due date as a PDA shows it: month, day, hour and minute in the device's zone. */
export const formatDue = (iso: string, locale: string): string =>
  new Date(iso).toLocaleString(locale, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });

/** Whole hours past a due date (0 when not past). */
export const hoursLate = (iso: string, now = Date.now()): number =>
  Math.max(0, Math.floor((now - Date.parse(iso)) / 3_600_000));
