import { describe, expect, it } from 'vitest';
import { createAzureDriver } from './azure-driver.js';

const credential = { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 60_000 }) };

describe('createAzureDriver options', () => {
  it('refuses an unknown key, naming it', () => {
    expect(() =>
      createAzureDriver({ subscriptionId: 's', credential, resourceGroupName: 'x' } as never),
    ).toThrow(/unknown option 'resourceGroupName'/);
  });

  it('refuses an unknown key inside clients', () => {
    expect(() =>
      createAzureDriver({ subscriptionId: 's', clients: { compute: {}, network: {}, storage: {} } } as never),
    ).toThrow(/'clients.storage'/);
  });

  it('needs a subscription id', () => {
    expect(() => createAzureDriver({ credential } as never)).toThrow(/subscriptionId/);
  });

  it('hands back the SDK clients it made, with a 5-minute attempt deadline', () => {
    const driver = createAzureDriver({ subscriptionId: 's', credential });
    expect(Object.keys(driver.getClient())).toEqual(['compute', 'network']);
    expect(driver.defaultLimits.attemptTimeoutMs).toBe(300_000);
  });
});
