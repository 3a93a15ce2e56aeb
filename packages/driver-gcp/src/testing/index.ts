/**
 * `@novacron/driver-gcp/testing`: a stateful fake Compute Engine v1 REST server for your own tests, checked against
 * Google's discovery document, and what points the real `@google-cloud/compute` clients at it (its token and client
 * options).
 *
 * @example
 * import { createGcpDriver } from '@novacron/driver-gcp';
 * import { fakeGceAuthClient, fakeGceClientOptions, startFakeGce } from '@novacron/driver-gcp/testing';
 *
 * const fake = await startFakeGce({ discovery: 'test/data/compute.v1.json' });
 * const gcp = createGcpDriver({
 *   projectId: fake.project, zones: fake.zones, authClient: fakeGceAuthClient(), clientOptions: fakeGceClientOptions(fake),
 * });
 *
 * @packageDocumentation
 */

export { FAKE_GCE_TOKEN, fakeGceAuthClient, fakeGceClientOptions } from './fake-gce-client.js';
export type { FakeGceImage } from './fake-gce-images.js';
export {
  type FakeGce,
  type FakeGceOptions,
  type GceCall,
  type GceFault,
  type GceFaultScript,
  startFakeGce,
} from './fake-gce-server.js';
export { type GceDiscoveryDocument, readGceDiscovery } from './gce-discovery-schema.js';
