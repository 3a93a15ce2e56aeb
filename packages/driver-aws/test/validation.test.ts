import { EC2Client } from '@aws-sdk/client-ec2';
import { type CreateVmSpec, NovaCronError } from '@novacron/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createAwsDriver } from '../src/index.js';
import { createContext, MOTO_CREDENTIALS, MOTO_IMAGE, motoUrl, skipWithoutMoto } from './support/moto.js';

const GOOD: CreateVmSpec = { name: 'ok', size: 't3.micro', image: MOTO_IMAGE };

describe.skipIf(skipWithoutMoto)('aws driver rejects bad input before calling EC2', () => {
  // Every command the SDK is asked to send is recorded, so the tests can prove nothing was sent.
  const sent: string[] = [];
  const client = new EC2Client({
    region: 'us-east-1',
    endpoint: motoUrl,
    credentials: MOTO_CREDENTIALS,
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  const driver = createAwsDriver({ region: 'us-east-1', client });
  afterAll(() => client.destroy());

  async function rejection(spec: CreateVmSpec): Promise<NovaCronError> {
    const error = await driver.doCreateVm(spec, createContext(`bad-${sent.length}-${Math.random()}`)).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    if (!NovaCronError.isInstance(error)) throw new Error(`expected INVALID_ARGUMENT, got ${String(error)}`);
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.retryable).toBe(false);
    return error;
  }

  it.each<[string, Record<string, unknown>, string]>([
    ['an AMI id with the wrong shape', { image: 'ami-xyz' }, 'image'],
    ['an image that is not an AMI at all', { image: 'debian-12' }, 'image'],
    ['no image and no default image', { image: undefined }, 'image'],
    ['an instance type with the wrong shape', { size: 'huge' }, 'size'],
    ['neither size nor resources', { size: undefined }, 'size'],
    [
      '49 tags (EC2 allows 50, NovaCron uses 2)',
      { tags: Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v'])) },
      'tags',
    ],
    ['a reserved tag key', { tags: { Name: 'other' } }, 'tags.Name'],
    ['an aws: tag key', { tags: { 'aws:cloudformation': 'x' } }, 'tags.aws:cloudformation'],
    ['a tag value over 256 characters', { tags: { team: 'x'.repeat(257) } }, 'tags.team'],
    ['user data over 16 KiB', { userData: 'x'.repeat(16 * 1024 + 1) }, 'userData'],
    ['another region', { location: { region: 'eu-west-1' } }, 'location.region'],
    ['a zone of another region', { location: { zone: 'eu-west-1a' } }, 'location.zone'],
    ['a host id', { location: { hostId: 'h-1' } }, 'location.hostId'],
    [
      'an unknown provider option',
      { providerOptions: { aws: { keyname: 'typo' } } },
      'providerOptions.aws.keyname',
    ],
    [
      'a provider option of the wrong type',
      { providerOptions: { aws: { securityGroupIds: 'sg-1' } } },
      'providerOptions.aws.securityGroupIds',
    ],
  ])('rejects %s with INVALID_ARGUMENT on %s, sending nothing', async (_label, override, field) => {
    sent.length = 0;
    const error = await rejection({ ...GOOD, ...override } as CreateVmSpec);
    expect(error.field).toBe(field);
    expect(error.message.length).toBeGreaterThan(20);
    expect(sent).toEqual([]);
  });

  it('accepts exactly 48 tags and exactly 16 KiB of user data', async () => {
    sent.length = 0;
    const vm = await driver.doCreateVm(
      {
        ...GOOD,
        tags: Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`k${i}`, 'v'])),
        userData: 'x'.repeat(16 * 1024),
      },
      createContext('edge-ok'),
    );
    expect(Object.keys(vm.tags)).toHaveLength(48);
    expect(sent).toContain('RunInstancesCommand');
  });

  it('rejects an unknown instance type after one catalog lookup, never sending RunInstances', async () => {
    sent.length = 0;
    const error = await rejection({ ...GOOD, size: 'zz9.mega' });
    expect(error.field).toBe('size');
    expect(error.message).toContain('zz9.mega');
    expect(sent).toEqual(['DescribeInstanceTypesCommand']);
    // The answer is cached: asking again sends nothing.
    sent.length = 0;
    await rejection({ ...GOOD, size: 'zz9.mega' });
    expect(sent).toEqual([]);
  });
});
