import { FAKE_GCE_TOKEN, type FakeGce, startFakeGce } from '@novacron/driver-gcp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCheckedFakeGce } from './support/gcp-on-fake.js';

let fake: FakeGce;
beforeAll(async () => {
  fake = await startCheckedFakeGce();
});
afterAll(() => fake.close());

async function send(
  method: string,
  path: string,
  body?: unknown,
  to: FakeGce = fake,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`http://${to.host}:${to.port}/compute/v1/projects/${to.project}/${path}`, {
    method,
    headers: { authorization: `Bearer ${FAKE_GCE_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json() };
}

describe('the fake checks requests against the discovery document', () => {
  it.each([
    [
      'a misplaced field (the Azure-style `properties` wrapper)',
      { name: 'x', properties: { machineType: 'e2-micro' } },
    ],
    ['a wrong type', { name: 'x', canIpForward: 'yes' }],
    ['a value outside an enum', { name: 'x', privateIpv6GoogleAccess: 'SOMETIMES' }],
    ['a missing required field', { machineType: 'zones/us-central1-a/machineTypes/e2-micro' }],
    ['a 64-bit number that is not a decimal string', { name: 'x', disks: [{ diskSizeGb: 'ten' }] }],
    ['an output-only field (status)', { name: 'x', status: 'RUNNING' }],
    [
      'a nested output-only field (networkInterfaces[].kind)',
      { name: 'x', networkInterfaces: [{ kind: 'x' }] },
    ],
  ])('refuses %s with a 400 it records', async (_, body) => {
    const before = fake.violations.length;
    const { status } = await send('POST', 'zones/us-central1-a/instances', body);
    expect(status).toBe(400);
    expect(fake.violations.length).toBe(before + 1);
  });

  it('refuses unknown or malformed query parameters and request ids', async () => {
    const before = fake.violations.length;
    expect((await send('GET', 'aggregated/instances?maxResults=lots')).status).toBe(400);
    expect((await send('GET', 'aggregated/instances?pageSize=10')).status).toBe(400);
    expect((await send('POST', 'zones/us-central1-a/instances/x/stop?requestId=not-a-uuid')).status).toBe(
      400,
    );
    expect(fake.violations.length).toBe(before + 3);
  });

  it('answers the same requestId with the same Operation, whatever the body', async () => {
    const requestId = '0b5f6c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e';
    const body = { name: 'same-op', machineType: 'zones/us-central1-a/machineTypes/e2-micro' };
    const first = await send('POST', `zones/us-central1-a/instances?requestId=${requestId}`, body);
    const second = await send('POST', `zones/us-central1-a/instances?requestId=${requestId}`, {
      ...body,
      name: 'other',
    });
    expect((second.json as { name: string }).name).toBe((first.json as { name: string }).name);
    expect(fake.instanceCount()).toBe(1);
  });
});

describe('starting the fake', () => {
  it('refuses to start with neither the discovery document nor validateRequests: false, saying where to get it', async () => {
    await expect(startFakeGce()).rejects.toThrow(
      /compute\.googleapis\.com\/\$discovery\/rest\?version=v1.*validateRequests: false/,
    );
  });

  it('names the path and the download address when the document cannot be read', async () => {
    await expect(startFakeGce({ discovery: '/nowhere/compute.v1.json' })).rejects.toThrow(
      /\/nowhere\/compute\.v1\.json.*\$discovery\/rest\?version=v1/,
    );
  });

  it('serves unchecked with validateRequests: false', async () => {
    const unchecked = await startFakeGce({ validateRequests: false });
    try {
      expect(unchecked.validating).toBe(false);
      const { status } = await send(
        'POST',
        'zones/us-central1-a/instances',
        { name: 'loose', machineType: 'zones/us-central1-a/machineTypes/e2-micro', status: 'RUNNING' },
        unchecked,
      );
      expect(status).toBe(200);
      expect(unchecked.violations).toEqual([]);
    } finally {
      await unchecked.close();
    }
  });
});
