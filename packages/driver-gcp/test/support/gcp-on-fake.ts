import { OAuth2Client } from 'google-auth-library';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createGcpDriver, type GcpDriver, type GcpDriverOptions } from '../../src/index.js';
import { type FakeGce, startFakeGce } from './fake-gce-server.js';

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

/**
 * Starts one fake Compute Engine for the test file (closed after it) and checks after every test that each request,
 * clean-ups included, matched Google's discovery document. Call it at the top of the file, before any suite, so its
 * check runs after the suite's own clean-up hooks. Returns the running fake.
 */
export function useFakeGce(): () => FakeGce {
  let fake: FakeGce | undefined;
  beforeAll(async () => {
    fake = await startFakeGce();
  });
  afterAll(() => fake?.close());
  afterEach(() => {
    expect(fake?.invalidRequests).toEqual([]);
  });
  return () => {
    if (fake === undefined)
      throw new Error('The fake Compute Engine starts in beforeAll: use it inside tests and hooks.');
    return fake;
  };
}
