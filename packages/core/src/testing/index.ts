export { type TestDriverOptions, testDriver } from './test-driver.js';
