export * from './kvm-domain-xml.js';
export * from './kvm-driver.js';
export * from './kvm-driver-options.js';
export { type KvmErrorContext, toKvmError } from './kvm-error-map.js';
export type { KvmMigrationCheck } from './kvm-fleet-migration.js';
export * from './kvm-metrics.js';
export * from './kvm-migration.js';
export * from './kvm-state-map.js';
export * from './libvirt/index.js';
