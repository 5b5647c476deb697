/** The CSRF token the backbone gave at login (kept by session.ts): someone logged in on this browser. */
export const OFFICE_CSRF = 'mes.office.csrf';
/** Who that is, as the backbone last said. */
export const OFFICE_USER = 'mes.office.user';
