import { createNovaCron, NovaCronError } from '@novacron/core';
import { fakeGceAuthClient } from '@novacron/driver-gcp/testing';
import { describe, expect, it } from 'vitest';
import { createGcpDriver } from '../src/index.js';
import { gcpDriverFor, useFakeGce } from './support/gcp-on-fake.js';

const fake = useFakeGce();

async function refusal(promise: Promise<unknown>): Promise<NovaCronError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(NovaCronError.isInstance(error), String(error)).toBe(true);
  return error as NovaCronError;
}

describe('createGcpDriver options', () => {
  it('refuses an unknown option key, naming it', () => {
    expect(() => createGcpDriver({ projectId: 'p', zone: 'x' } as never)).toThrow(/'zone'/);
    expect(() => createGcpDriver({ projectId: 'p', clients: { instance: {} } } as never)).toThrow(
      /clients\.instance/,
    );
  });

  it('needs a projectId, zone names and image project names', () => {
    expect(() => createGcpDriver({} as never)).toThrow(/projectId/);
    expect(() => createGcpDriver({ projectId: 'p', zones: [''] })).toThrow(/zones/);
    expect(() => createGcpDriver({ projectId: 'p', images: { projects: [] } })).toThrow(/images\.projects/);
    expect(() => createGcpDriver({ projectId: 'p', images: { project: ['x'] } } as never)).toThrow(
      /images\.project/,
    );
  });

  it('hands the SDK clients back', () => {
    const driver = createGcpDriver({ projectId: 'p', authClient: fakeGceAuthClient() });
    expect(Object.keys(driver.getClient()).sort()).toEqual([
      'images',
      'instances',
      'machineTypes',
      'zoneOperations',
      'zones',
    ]);
  });
});

describe('metrics', () => {
  it('are UNSUPPORTED, refused by the core before the driver (Cloud Monitoring is another API)', async () => {
    const driver = gcpDriverFor(fake());
    expect(driver.capabilities.metrics).toBe(false);
    expect('doReadMetrics' in driver).toBe(false);
    const nc = createNovaCron({ providers: { gcp: driver } });
    const before = fake().calls.length;
    const error = await refusal(
      nc.vms.readMetrics('gcp:us-central1-a/web-1', {
        metrics: ['cpu.utilization'],
        from: new Date(0),
        to: new Date(),
      }),
    );
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.message).toContain('capabilities.metrics is false');
    expect(error.message).toMatch(/Cloud Monitoring.*@google-cloud\/monitoring/);
    expect(fake().calls.length).toBe(before);
    await nc.close();
  });
});

describe('label rules, checked before any request', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ Team: 'web' }, 'tags.Team'],
    [{ team: 'Web' }, 'tags.team'],
    [{ team: 'two words' }, 'tags.team'],
    [{ 'team.name': 'web' }, 'tags.team.name'],
    [{ '1team': 'web' }, 'tags.1team'],
    [{ ['k'.repeat(64)]: 'v' }, `tags.${'k'.repeat(64)}`],
    [{ team: 'v'.repeat(64) }, 'tags.team'],
  ];
  it.each(cases)('refuses %j as INVALID_ARGUMENT on %s', async (tags, field) => {
    const nc = createNovaCron({ providers: { gcp: gcpDriverFor(fake()) } });
    const before = fake().calls.length;
    const error = await refusal(nc.vms.create({ provider: 'gcp', name: 'labelled', size: 'e2-micro', tags }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.field).toBe(field);
    expect(fake().calls.length).toBe(before);
    await nc.close();
  });

  it('refuses more than 63 labels (one of the 64 is the driver’s)', async () => {
    const nc = createNovaCron({ providers: { gcp: gcpDriverFor(fake()) } });
    const tags = Object.fromEntries(Array.from({ length: 64 }, (_, index) => [`k${index}`, 'v']));
    const error = await refusal(nc.vms.create({ provider: 'gcp', name: 'many', size: 'e2-micro', tags }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.field).toBe('tags');
    await nc.close();
  });

  it('refuses the label the driver keeps for idempotency, before any request', async () => {
    const nc = createNovaCron({ providers: { gcp: gcpDriverFor(fake()) } });
    const before = fake().calls.length;
    const error = await refusal(
      nc.vms.create({ provider: 'gcp', name: 'reserved', size: 'e2-micro', tags: { 'novacron-key': 'x' } }),
    );
    expect(error.field).toBe('tags.novacron-key');
    expect(fake().calls.length).toBe(before);
    await nc.close();
  });

  it('refuses a custom machine type that breaks Google’s rules, before any request', async () => {
    const nc = createNovaCron({ providers: { gcp: gcpDriverFor(fake()) } });
    const before = fake().calls.length;
    const error = await refusal(nc.vms.create({ provider: 'gcp', name: 'custom', size: 'custom-3-4096' }));
    expect([error.code, error.field]).toEqual(['INVALID_ARGUMENT', 'size']);
    const fromResources = await refusal(
      nc.vms.create({ provider: 'gcp', name: 'custom', resources: { vcpus: 1, memoryMiB: 256 } }),
    );
    expect([fromResources.code, fromResources.field]).toEqual(['INVALID_ARGUMENT', 'resources']);
    expect(fake().calls.length).toBe(before);
    await nc.close();
  });

  it('accepts a valid custom machine type and reports its resources', async () => {
    const nc = createNovaCron({ providers: { gcp: gcpDriverFor(fake()) } });
    const vm = await nc.vms.create({
      provider: 'gcp',
      name: 'custom-ok',
      size: 'custom-2-4096',
      tags: { team: 'web' },
    });
    expect(vm.resources).toEqual({ vcpus: 2, memoryMiB: 4096 });
    expect(vm.tags).toEqual({ team: 'web' });
    const inserted = fake().calls.find((call) => call.methodId === 'compute.instances.insert');
    expect(inserted?.body).toMatchObject({
      labels: { team: 'web' },
      machineType: 'zones/us-central1-a/machineTypes/custom-2-4096',
    });
    await nc.vms.delete(vm.ref);
    await nc.close();
  });

  it('needs a zone when the driver has none', async () => {
    const driver = gcpDriverFor(fake(), { zones: undefined });
    const nc = createNovaCron({ providers: { gcp: driver } });
    const error = await refusal(nc.vms.create({ provider: 'gcp', name: 'nozone', size: 'e2-micro' }));
    expect([error.code, error.field]).toEqual(['INVALID_ARGUMENT', 'location.zone']);
    await nc.close();
  });
});
