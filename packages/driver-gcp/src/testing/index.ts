/**
 * `@novacron/driver-gcp/testing`: a stateful fake Compute Engine v1 REST server for your own tests, checked against
 * Google's discovery document, and what points the real `@google-cloud/compute` clients at it (its token and client
 * options).
 *
 * @example
 * import { createGcpDriver } from '@novacron/driver-gcp';
 * import { FAKE_GCE_TOKEN, fakeGceClientOptions, startFakeGce } from '@novacron/driver-gcp/testing';
 * import { OAuth2Client } from 'google-auth-library';
 *
 * const fake = await startFakeGce({ discovery: 'test/data/compute.v1.json' });
 * const authClient = new OAuth2Client();
 * authClient.setCredentials({ access_token: FAKE_GCE_TOKEN });
 * const gcp = createGcpDriver({ projectId: fake.project, zones: fake.zones, authClient, clientOptions: fakeGceClientOptions(fake) });
 *
 * @packageDocumentation
 */

export { FAKE_GCE_TOKEN, fakeGceClientOptions } from './fake-gce-client.js';
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
