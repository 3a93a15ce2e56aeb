export { findSecrets, type RecordedEvent, recordOperationEvents } from './secret-probe.js';
export {
  type StateStoreBackend,
  type TestStateStoreOptions,
  testStateStore,
} from './state-store-conformance.js';
export {
  type ConformanceContext,
  DEFAULT_CONFORMANCE_FAULTS,
  type TestDriverOptions,
  testDriver,
} from './test-driver.js';
export {
  FAULTABLE_METHODS,
  type FaultableMethod,
  type FaultCounts,
  type FaultRules,
  type FaultyDriver,
  withFaults,
} from './with-faults.js';
