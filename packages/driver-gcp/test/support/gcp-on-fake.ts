import {
  type FakeGce,
  type FakeGceOptions,
  fakeGceAuthClient,
  fakeGceClientOptions,
  startFakeGce,
} from '@novacron/driver-gcp/testing';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createGcpDriver, type GcpDriver, type GcpDriverOptions } from '../../src/index.js';
import { GCE_DISCOVERY_PATH } from './gce-discovery-location.js';

/** Starts a fake that validates every request against the discovery document the tests read. */
export function startCheckedFakeGce(options: Omit<FakeGceOptions, 'discovery'> = {}): Promise<FakeGce> {
  return startFakeGce({ discovery: GCE_DISCOVERY_PATH, ...options });
}

/** A driver whose real `@google-cloud/compute` clients speak plain HTTP/JSON to the fake. */
export function gcpDriverFor(fake: FakeGce, options: Partial<GcpDriverOptions> = {}): GcpDriver {
  return createGcpDriver({
    projectId: fake.project,
    zones: fake.zones,
    authClient: fakeGceAuthClient(),
    clientOptions: fakeGceClientOptions(fake),
    ...options,
  });
}

/**
 * Starts one fake Compute Engine for the test file (closed after it) and checks after every test that each request,
 * clean-ups included, matched Google's discovery document; the fault script is removed after every test. Call it at
 * the top of the file, before any suite, so its check runs after the suite's own clean-up hooks. Returns the running
 * fake.
 */
export function useFakeGce(options: Omit<FakeGceOptions, 'discovery'> = {}): () => FakeGce {
  let fake: FakeGce | undefined;
  beforeAll(async () => {
    fake = await startCheckedFakeGce(options);
  });
  afterAll(() => fake?.close());
  afterEach(() => {
    fake?.script(undefined);
    expect(fake?.violations).toEqual([]);
  });
  return () => {
    if (fake === undefined)
      throw new Error('The fake Compute Engine starts in beforeAll: use it inside tests and hooks.');
    return fake;
  };
}
