export { type TestDriverOptions, testDriver } from './test-driver.js';
export {
  type FaultableMethod,
  type FaultCounts,
  type FaultRules,
  type FaultyDriver,
  withFaults,
} from './with-faults.js';
