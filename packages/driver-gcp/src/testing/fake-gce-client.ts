import { OAuth2Client } from 'google-auth-library';
import type { GcpClientOptions } from '../gcp-driver-options.js';
import type { FakeGce } from './fake-gce-server.js';

/**
 * The only access token the fake accepts. Give it to a google-auth-library `OAuth2Client` (no refresh, no metadata
 * server, no network): `client.setCredentials({ access_token: FAKE_GCE_TOKEN })`.
 */
export const FAKE_GCE_TOKEN = 'fake-gce-token';

/**
 * An auth client holding the fake's token, valid for a day: no refresh, no metadata server, no network. Pass it as
 * `authClient` to `createGcpDriver` (or to any Compute client's constructor).
 */
export function fakeGceAuthClient(): OAuth2Client {
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: FAKE_GCE_TOKEN, expiry_date: Date.now() + 24 * 3_600_000 });
  return authClient;
}

/**
 * The client options that point `@google-cloud/compute` at a running fake: its host and port, plain HTTP, the REST
 * transport. Pass them as `clientOptions` to `createGcpDriver` (or to any Compute client's constructor).
 *
 * @example
 * const driver = createGcpDriver({ projectId: fake.project, authClient, clientOptions: fakeGceClientOptions(fake) });
 */
export function fakeGceClientOptions(fake: Pick<FakeGce, 'host' | 'port'>): GcpClientOptions {
  return { apiEndpoint: fake.host, port: fake.port, protocol: 'http', fallback: 'rest' };
}
