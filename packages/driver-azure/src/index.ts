// The package's public surface: the factory, the driver, its options and the types users meet through it. Everything
// else (request builders, error and state maps, cursors) is internal and may change in any release.
export type { AzureCreateOptions } from './azure-create-input.js';
export { AzureDriver, createAzureDriver } from './azure-driver.js';
export type { AzureClients, AzureCredential, AzureDriverOptions } from './azure-driver-options.js';
export type { AzureImageScope } from './azure-images.js';
export type { AzurePriceTable, AzureSize } from './azure-sizes.js';
