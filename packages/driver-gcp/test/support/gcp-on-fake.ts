import { OAuth2Client } from 'google-auth-library';
import { createGcpDriver, type GcpDriver, type GcpDriverOptions } from '../../src/index.js';
import type { FakeGce } from './fake-gce-server.js';

/** The access token the fake accepts. */
export const FAKE_TOKEN = 'fake-gce-token';

/** An `OAuth2Client` holding the fake's fixed token (no refresh, no metadata server, no network). */
export function fixedTokenAuth(): OAuth2Client {
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: FAKE_TOKEN, expiry_date: Date.now() + 24 * 3_600_000 });
  return authClient;
}

/** A driver whose real `@google-cloud/compute` clients speak plain HTTP/JSON to the fake. */
export function gcpDriverFor(fake: FakeGce, options: Partial<GcpDriverOptions> = {}): GcpDriver {
  return createGcpDriver({
    projectId: fake.project,
    zones: fake.zones,
    authClient: fixedTokenAuth(),
    clientOptions: { apiEndpoint: fake.host, port: fake.port, protocol: 'http', fallback: 'rest' },
    ...options,
  });
}
