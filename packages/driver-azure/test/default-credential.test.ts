import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNovaCron } from '@novacron/core';
import { findSecrets } from '@novacron/core/testing';
import { createAzureDriver } from '@novacron/driver-azure';
import { type FakeArm, startFakeArm } from '@novacron/driver-azure/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode } from './support/driver-context.js';

// Without `credential`, the driver asks DefaultAzureCredential. Here no credential source exists: no AZURE_*
// variables but a planted secret with an unreachable authority, no Azure CLI, PowerShell or azd on PATH, an empty
// HOME. (A full token flow through a fake authority host is not covered: @azure/identity would need the fake's CA
// in NODE_EXTRA_CA_CERTS, which is read only at process start.)
const SECRET = 'planted-client-secret-0123456789abcdef';
const saved = { ...process.env };
let fake: FakeArm;

beforeAll(async () => {
  fake = await startFakeArm({ validateRequests: false });
  for (const key of Object.keys(process.env))
    if (key.startsWith('AZURE_') || key.startsWith('IDENTITY_')) delete process.env[key];
  Object.assign(process.env, {
    HOME: mkdtempSync(join(tmpdir(), 'no-azure-home-')),
    PATH: mkdtempSync(join(tmpdir(), 'no-azure-path-')),
    AZURE_TENANT_ID: '00000000-0000-4000-8000-0000000000aa',
    AZURE_CLIENT_ID: '00000000-0000-4000-8000-0000000000bb',
    AZURE_CLIENT_SECRET: SECRET,
    AZURE_AUTHORITY_HOST: 'https://127.0.0.1:9',
  });
});
afterAll(async () => {
  process.env = saved;
  await fake.close();
});

describe('the default credential', () => {
  it('without credential, the driver asks DefaultAzureCredential: no source is AUTH naming the fix, fast, secret-free', async () => {
    const driver = createAzureDriver({
      subscriptionId: '00000000-0000-4000-8000-000000000001',
      resourceGroup: 'rg',
      endpoint: fake.url,
      tlsOptions: { ca: fake.ca },
    });
    const nc = createNovaCron({
      providers: { azure: driver },
      limits: { default: { retry: { maxAttempts: 1 } } },
    });
    const started = Date.now();
    const error = await expectCode(nc.vms.get({ provider: 'azure', id: 'web-1' }), 'AUTH');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/DefaultAzureCredential/);
    expect(error.message).toMatch(/az login/);
    expect(error.message).toMatch(/credential/);
    expect(findSecrets(error, [SECRET])).toEqual([]);
    // No request reached Resource Manager without a token.
    expect(fake.requests).toEqual([]);
    await nc.close();
  });
});
