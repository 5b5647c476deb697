import type { ConfigPlant } from '../domain/generated';
import type { Shift } from '../lib/time';

/** A site's kg CO2e per kWh from a local day (to one, inclusive), with its source (schemas/config/plant.json). */
export type EmissionFactor = NonNullable<ConfigPlant['emissionFactors']>[number];

export type PlantConfig = {
  timeZone: string;
  shifts: Shift[];
  /** Later entries win where periods overlap. */
  emissionFactors: EmissionFactor[];
  /** The dispatch rule of work centers whose master record names none; default priority-due-date. */
  dispatchRule?: ConfigPlant['dispatchRule'];
};

/** China's national average electricity CO2 emission factor for 2023, MEE and NBS (published January 2026). */
export const DEFAULT_EMISSION_FACTOR: EmissionFactor = {
  site: '*',
  from: '2000-01-01',
  kgCo2ePerKWh: 0.5306,
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
