const two = (n: number): string => String(n).padStart(2, '0');

/**
 * A due date as a PDA shows it, in the device's zone: `12-01 18:46`, the same in both languages
 * (no Intl formatter: making the first one costs a PDA a tenth of a second at start).
 */
export const formatDue = (iso: string): string => {
  const d = new Date(iso);
  return `${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
};

/** Whole hours past a due date (0 when not past). */
export const hoursLate = (iso: string, now = Date.now()): number =>
  Math.max(0, Math.floor((now - Date.parse(iso)) / 3_600_000));
