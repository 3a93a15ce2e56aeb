// The package's public surface: the factory and the driver, the simulated cloud with its API types, errors and control
// surface, the options, and the catalog data.
export { SimApiError, type SimApiErrorDetails, type SimErrorReason } from './sim-api-error.js';
export { SIM_DEFAULT_ZONES, SIM_IMAGES, SIM_REGION, SIM_SIZES } from './sim-catalog.js';
export { SimCloud, type SimMigrationProgress } from './sim-cloud.js';
export {
  SIM_VM_STATUSES,
  type SimCallOptions,
  type SimCreateVmInput,
  type SimEvent,
  type SimHost,
  type SimListVmsInput,
  type SimMetricData,
  type SimMetricDataInput,
  type SimMigrateVmInput,
  type SimMigrationResult,
  type SimVm,
  type SimVmFilter,
  type SimVmStatus,
  type SimZones,
} from './sim-cloud-types.js';
export type { SimControl, SimCounts, SimSnapshot } from './sim-control.js';
export { createSimDriver, SimDriver } from './sim-driver.js';
export type { SimOperationStats } from './sim-faults.js';
export { SIM_METRICS } from './sim-metrics.js';
export {
  SIM_OPERATIONS,
  type SimCloudOptions,
  type SimDriverOptions,
  type SimFaultRule,
  type SimFaults,
  type SimHostSpec,
  type SimMigrationOptions,
  type SimOperation,
} from './sim-options.js';
