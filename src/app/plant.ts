import { calendarOfShifts, type Calendar, type CalendarVersion } from '../domain/calendar';
import type { ConfigPlant } from '../domain/generated';
import type { Shift } from '../lib/time';

/** A site's kg CO2 (or CO2e, by `gas`) per kWh from a local day (to one, inclusive), with its source (schemas/config/plant.json). */
export type EmissionFactor = NonNullable<ConfigPlant['emissionFactors']>[number];

export type PlantConfig = {
  timeZone: string;
  shifts: Shift[];
  /** Later entries win where periods overlap. */
  emissionFactors: EmissionFactor[];
  /** The plant's default calendar; default: `shifts` on every day, without breaks or planned stops. */
  calendar?: Calendar;
  /** Sites', work centers' and machines' calendars from the configuration (version 0; the API's win on a tie). */
  calendars?: CalendarVersion[];

  /** The dispatch rule of work centers whose master record names none; default priority-due-date. */
  dispatchRule?: ConfigPlant['dispatchRule'];
};

/** The plant's default calendar: the configured one, else its shifts on every day. */
export const plantCalendar = (plant: Pick<PlantConfig, 'calendar' | 'shifts'>): Calendar =>
  plant.calendar ?? calendarOfShifts(plant.shifts);

/** China's national average electricity CO2 emission factor for 2023, MEE and NBS (published January 2026). */
export const DEFAULT_EMISSION_FACTOR: EmissionFactor = {
  site: '*',
  from: '2000-01-01',
  kgCo2ePerKWh: 0.5306,
  gas: 'CO2',
  region: 'national',
  source: 'MEE & NBS, 2023 national average electricity CO2 emission factor, 0.5306 kgCO2/kWh (announced January 2026)',
};

export const DEFAULT_SHIFTS: Shift[] = [
  { name: 'A', start: '08:00', end: '16:00' },
  { name: 'B', start: '16:00', end: '24:00' },
  { name: 'C', start: '00:00', end: '08:00' },
];

/** The factor for a site on a local day: the last configured entry that covers it. */
export const emissionFactorFor = (factors: readonly EmissionFactor[], site: string, day: string): EmissionFactor =>
  [...factors]
    .reverse()
    .find((f) => (f.site === site || f.site === '*') && f.from <= day && (f.to === undefined || day <= f.to)) ??
  DEFAULT_EMISSION_FACTOR;

/** What a factor counts: CO2 unless it says CO2e. */
export const gasOf = (factor: EmissionFactor): 'CO2' | 'CO2e' => factor.gas ?? 'CO2';
