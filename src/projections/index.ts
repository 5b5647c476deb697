import type { PlantConfig } from '../app/plant';
import { alertsProjection } from './models/alerts';
import { carbonProjection } from './models/carbon';
import { genealogyProjection } from './models/genealogy';
import { healthProjection } from './models/health';
import { labourProjection } from './models/labour';
import { maintenanceProjection } from './models/maintenance';
import { masterDataProjection } from './models/masterData';
import { oeeProjection } from './models/oee';
import { qualityProjection } from './models/quality';
import { spcProjection } from './models/spc';
import { telemetryProjection, type TelemetryRetention } from './models/telemetry';
import { wipProjection } from './models/wip';
import { yieldsProjection } from './models/yields';
import type { Projection } from './runner';

export * from './runner';

/** Every read model of the backbone (WIP carries the dispatch queues). */
export const createProjections = (
  plant: PlantConfig,
  options: { telemetryRetention?: TelemetryRetention } = {},
): Projection[] => [
  wipProjection,
  qualityProjection(plant.timeZone),
  maintenanceProjection,
  carbonProjection(plant.timeZone),
  oeeProjection(plant.timeZone),
  genealogyProjection,
  labourProjection(plant.timeZone),
  masterDataProjection,
  yieldsProjection(plant.timeZone),
  spcProjection,
  telemetryProjection(plant.timeZone, options.telemetryRetention),
  alertsProjection,
  healthProjection,
];
