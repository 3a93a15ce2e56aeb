export * from './kvm-domain-xml.js';
export * from './kvm-driver.js';
export * from './kvm-driver-options.js';
export * from './kvm-error-map.js';
export * from './kvm-metrics.js';
export * from './kvm-migration.js';
export * from './kvm-state-map.js';
export * from './libvirt/index.js';
