// The package's public surface: the factory, the driver and its control surface, its options, and its catalog data.
export { SIM_DEFAULT_ZONES, SIM_IMAGES, SIM_REGION, SIM_SIZES } from './sim-catalog.js';
export type { SimControl, SimCounts, SimSnapshot } from './sim-control.js';
export { createSimDriver, SimDriver } from './sim-driver.js';
export type { SimOperationStats } from './sim-faults.js';
export { SIM_METRICS } from './sim-metrics.js';
export {
  SIM_OPERATIONS,
  type SimDriverOptions,
  type SimFaultRule,
  type SimFaults,
  type SimHostSpec,
  type SimMigrationOptions,
  type SimOperation,
} from './sim-options.js';
