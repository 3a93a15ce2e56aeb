// The package's public surface: the factory, the driver, its options and the types users meet through it. Everything
// else (state, error and label maps, cursors) is internal and may change in any release.

export type { GcpCreateOptions } from './gcp-create-options.js';
export { createGcpDriver, GcpDriver } from './gcp-driver.js';
export type { GcpClientOptions, GcpClients, GcpDriverOptions } from './gcp-driver-options.js';
export type { GcpImage } from './gcp-images.js';
export type { GcpSize } from './gcp-machine-types.js';
