import { generateKeyPairSync } from 'node:crypto';
import type { CreateVmSpec } from '@novacron/core';
import { type AzureDriverOptions, createAzureDriver } from '@novacron/driver-azure';
import {
  FAKE_LOCATION,
  FAKE_RESOURCE_GROUP,
  FAKE_SUBNET_ID,
  FAKE_SUBSCRIPTION,
  type FakeArm,
  fakeArmCredential,
} from '@novacron/driver-azure/testing';

/** An OpenSSH public key made for the test run. */
export const SSH_PUBLIC_KEY = (() => {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const type = Buffer.from('ssh-ed25519');
  const length = (buffer: Buffer) => {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(buffer.length);
    return out;
  };
  return `ssh-ed25519 ${Buffer.concat([length(type), type, length(raw), raw]).toString('base64')} novacron-test`;
})();

/** A driver whose real SDK clients talk to `fake` over https. */
export function driverOn(fake: FakeArm, options: Partial<AzureDriverOptions> = {}) {
  return createAzureDriver({
    subscriptionId: FAKE_SUBSCRIPTION,
    resourceGroup: FAKE_RESOURCE_GROUP,
    location: FAKE_LOCATION,
    credential: fakeArmCredential,
    endpoint: fake.url,
    tlsOptions: { ca: fake.ca },
    pollIntervalMs: 1,
    ...options,
  });
}

/** A valid create spec for the fake. */
export function azureSpec(name: string): CreateVmSpec {
  return {
    name,
    size: 'Standard_B1s',
    image: 'Canonical:ubuntu-24_04-lts:server:latest',
    providerOptions: { azure: { subnetId: FAKE_SUBNET_ID, sshPublicKey: SSH_PUBLIC_KEY } },
  };
}
