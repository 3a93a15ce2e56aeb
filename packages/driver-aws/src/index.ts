// The package's public surface: the factory, the driver, its options and the types users meet through it. Everything
// else (request builders, error and state maps, cursors) is internal and may change in any release.
export type { AwsCreateOptions } from './aws-create-input.js';
export { AwsDriver, type AwsStopOptions, createAwsDriver } from './aws-driver.js';
export type { AwsDriverOptions } from './aws-driver-options.js';
export type { AwsSize } from './aws-instance-types.js';
export { AWS_METRICS } from './aws-metrics.js';
export type { AwsPriceTable } from './aws-price-table.js';
