import { EC2Client } from '@aws-sdk/client-ec2';
import { type CreateVmSpec, createNovaCron, NovaCronError } from '@novacron/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createAwsDriver } from '../src/index.js';
import {
  callContext,
  createContext,
  MOTO_CREDENTIALS,
  MOTO_IMAGE,
  motoUrl,
  skipWithoutMoto,
} from './support/moto.js';

const GOOD: CreateVmSpec = { name: 'ok', size: 't3.micro', image: MOTO_IMAGE };

/** An EC2 client on moto that records every command it is asked to send, so tests can prove nothing was sent. */
function recordingClient(sent: string[]): EC2Client {
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
  return client;
}

describe.skipIf(skipWithoutMoto)('aws driver rejects bad input before calling EC2', () => {
  const sent: string[] = [];
  const client = recordingClient(sent);
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
    ['a reserved tag key', { tags: { Name: 'other' } }, 'tags.Name'],
    ['an aws: tag key', { tags: { 'aws:cloudformation': 'x' } }, 'tags.aws:cloudformation'],
    ['a novacron: tag key', { tags: { 'novacron:idempotency-key': 'x' } }, 'tags.novacron:idempotency-key'],
    ['user data over 16 KiB', { userData: 'x'.repeat(16 * 1024 + 1) }, 'userData'],
    ['another region', { location: { region: 'eu-west-1' } }, 'location.region'],
    ['a zone of another region', { location: { zone: 'eu-west-1a' } }, 'location.zone'],
    ['an unknown provider option', { providerOptions: { aws: { keyname: 'typo' } } }, 'providerOptions.aws'],
    [
      'a provider option of the wrong type',
      { providerOptions: { aws: { securityGroupIds: 'sg-1' } } },
      'providerOptions.aws.securityGroupIds',
    ],
    ['an empty key pair name', { providerOptions: { aws: { keyName: '' } } }, 'providerOptions.aws.keyName'],
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

  it.each([
    ['zz9.mega', 'a well-formed name the region lacks'],
    ['huge', 'a name of no EC2 shape'],
  ])(
    'rejects the unknown instance type %s (%s) after one look-up of that name, never sending RunInstances',
    async (size) => {
      sent.length = 0;
      const error = await rejection({ ...GOOD, size });
      expect(error.field).toBe('size');
      expect(error.message).toContain(size);
      expect(sent).toEqual(['DescribeInstanceTypesCommand']);
      // The answer is cached: asking again sends nothing.
      sent.length = 0;
      await rejection({ ...GOOD, size });
      expect(sent).toEqual([]);
    },
  );

  it('refuses a malformed provider option on stop before StopInstances', async () => {
    sent.length = 0;
    const error = await driver
      .doStopVm(
        'i-0123456789abcdef0',
        { force: false, providerOptions: { aws: { hibernate: 'yes' } } } as never,
        callContext(),
      )
      .then(
        () => undefined,
        (thrown: unknown) => thrown as NovaCronError,
      );
    expect([error?.code, error?.field]).toEqual(['INVALID_ARGUMENT', 'providerOptions.aws.hibernate']);
    expect(sent).toEqual([]);
  });
});

describe.skipIf(skipWithoutMoto)(
  "the core refuses what the contract defines, by the aws driver's manifest",
  () => {
    const sent: string[] = [];
    const client = recordingClient(sent);
    const nc = createNovaCron({ providers: { aws: createAwsDriver({ region: 'us-east-1', client }) } });
    afterAll(async () => {
      await nc.close();
      client.destroy();
    });

    it.each<[string, Record<string, unknown>, string]>([
      [
        '49 tags (EC2 allows 50, NovaCron writes 2)',
        { tags: Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v'])) },
        'tags',
      ],
      ['a tag key over 128 characters', { tags: { ['k'.repeat(129)]: 'v' } }, `tags.${'k'.repeat(129)}`],
      ['a tag value over 256 characters', { tags: { team: 'x'.repeat(257) } }, 'tags.team'],
      ['neither size nor resources', { size: undefined }, 'resources'],
      ['a host id (EC2 places instances itself)', { location: { hostId: 'h-1' } }, 'location.hostId'],
      [
        'providerOptions that are not objects',
        { providerOptions: { aws: 'keyName=ops' } },
        'providerOptions.aws',
      ],
    ])('%s: INVALID_ARGUMENT on %s, nothing sent', async (_label, override, field) => {
      sent.length = 0;
      const error = await nc.vms.create({ provider: 'aws', ...GOOD, ...override } as never).then(
        () => undefined,
        (thrown: unknown) => thrown as NovaCronError,
      );
      expect([error?.code, error?.field]).toEqual(['INVALID_ARGUMENT', field]);
      expect(sent).toEqual([]);
    });
  },
);
