import type { RouteSpec } from '../routes';
import { lotRoutes } from './lots';
import { machineRoutes } from './machines';
import { maintenanceRoutes } from './maintenance';
import { operationRoutes } from './operations';
import { orderRoutes } from './orders';
import { qualityRoutes } from './quality';
import { scanRoutes } from './scans';
import type { CommandRoutesDeps } from './shared';

/** The command routes: PDAs, planners, quality, maintenance and integrations write through them. */
export const commandRoutes = (deps: CommandRoutesDeps): RouteSpec[] => [
  ...orderRoutes(deps),
  ...operationRoutes(deps),
  ...scanRoutes(deps),
  ...lotRoutes(deps),
  ...qualityRoutes(deps),
  ...machineRoutes(deps),
  ...maintenanceRoutes(deps),
];
