// The package's public surface: the factory, the driver, its options and the types users meet through it. The libvirt
// client and its protocol toolkit are the `@novacron/driver-kvm/libvirt` entry; everything else (domain XML, error
// and state maps, metrics sampling) is internal and may change in any release.
export { createKvmDriver, KvmDriver } from './kvm-driver.js';
export type { KvmDriverOptions, KvmHostOptions, KvmImageOptions } from './kvm-driver-options.js';
export type { KvmMigrationCheck } from './kvm-fleet-migration.js';
export { mapDomainState } from './kvm-state-map.js';
