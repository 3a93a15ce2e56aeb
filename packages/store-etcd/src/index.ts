/** @packageDocumentation An etcd v3 state store for NovaCron: versioned values, leases with fencing, resumable watches. */
export { createEtcdStateStore, EtcdStateStore } from './etcd-state-store.js';
export type { EtcdStateStoreOptions, EtcdTlsOptions } from './etcd-state-store-options.js';
