// The snippet of docs/gcp.md ("The fake server in your own tests"), run as written but for the document's path.
import { createNovaCron } from '@novacron/core';
import { createGcpDriver } from '@novacron/driver-gcp';
import {
  type FakeGce,
  fakeGceAuthClient,
  fakeGceClientOptions,
  startFakeGce,
} from '@novacron/driver-gcp/testing';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { GCE_DISCOVERY_PATH } from './support/gce-discovery-location.js';

let fake: FakeGce;
beforeAll(async () => {
  fake = await startFakeGce({ discovery: GCE_DISCOVERY_PATH }); // yours: { discovery: 'test/data/compute.v1.json' }
});
afterAll(() => fake.close());
afterEach(() => expect(fake.violations).toEqual([])); // every request matched Google's document

function gcpOnFake() {
  return createGcpDriver({
    projectId: fake.project,
    zones: fake.zones,
    authClient: fakeGceAuthClient(), // holds the fake's fixed token
    clientOptions: fakeGceClientOptions(fake),
  });
}

it('creates, lists and deletes a VM on the fake', async () => {
  const nc = createNovaCron({ providers: { gcp: gcpOnFake() } });
  const vm = await nc.vms.create({ provider: 'gcp', name: 'web-1', size: 'e2-small', tags: { team: 'web' } });
  await nc.vms.waitUntil(vm.ref, 'running');
  expect((await nc.vms.list({ provider: 'gcp' }).toArray()).map((each) => each.name)).toEqual(['web-1']);
  let failures = 0; // the first delete answers 503; NovaCron's pipeline retries it
  fake.script((call) =>
    call.methodId === 'compute.instances.delete' && failures++ === 0
      ? { status: 503, reason: 'backendError' }
      : undefined,
  );
  await nc.vms.delete(vm.ref);
  expect(failures).toBe(2);
  await nc.close();
});
