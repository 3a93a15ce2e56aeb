import { describe, expect, it } from 'vitest';
import { buildRunInstancesInput, validateCreateSpec } from './aws-create-input.js';
import { clientTokenFor } from './aws-idempotency.js';

describe('RunInstances input', () => {
  const validated = validateCreateSpec(
    {
      name: 'web-1',
      size: 't3.micro',
      image: 'ami-0abcdef1234567890',
      location: { zone: 'eu-west-1b' },
      tags: { team: 'a' },
      userData: 'hello',
      providerOptions: {
        aws: {
          keyName: 'ops',
          iamInstanceProfile: 'arn:aws:iam::123456789012:instance-profile/web',
          placementGroup: 'pg',
          runInstances: {
            ClientToken: 'override-attempt',
            MinCount: 9,
            Monitoring: { Enabled: true },
            TagSpecifications: [
              { ResourceType: 'instance', Tags: [{ Key: 'x', Value: 'y' }] },
              { ResourceType: 'volume', Tags: [{ Key: 'backup', Value: 'daily' }] },
            ],
          },
        },
      },
    },
    'eu-west-1',
    undefined,
  );

  it('derives the ClientToken from the key and tags the instance with it', () => {
    const input = buildRunInstancesInput(validated, 't3.micro', 'key-1');
    expect(input.ClientToken).toBe(clientTokenFor('key-1'));
    expect(input.ClientToken!.length).toBeLessThanOrEqual(64);
    expect(clientTokenFor('key-1')).toBe(clientTokenFor('key-1'));
    expect(clientTokenFor('key-2')).not.toBe(clientTokenFor('key-1'));
    expect(input.TagSpecifications?.[0]).toEqual({
      ResourceType: 'instance',
      Tags: [
        { Key: 'Name', Value: 'web-1' },
        { Key: 'novacron:idempotency-key', Value: 'key-1' },
        { Key: 'team', Value: 'a' },
      ],
    });
  });

  it('maps the spec and provider options, and extras never replace what idempotency relies on', () => {
    const input = buildRunInstancesInput(validated, 't3.micro', 'key-1', 3);
    expect(input).toMatchObject({
      ImageId: 'ami-0abcdef1234567890',
      InstanceType: 't3.micro',
      MinCount: 3,
      MaxCount: 3,
      KeyName: 'ops',
      UserData: Buffer.from('hello').toString('base64'),
      Placement: { AvailabilityZone: 'eu-west-1b', GroupName: 'pg' },
      IamInstanceProfile: { Arn: 'arn:aws:iam::123456789012:instance-profile/web' },
      Monitoring: { Enabled: true },
    });
    expect(input.ClientToken).toBe(clientTokenFor('key-1'));
    expect(input.TagSpecifications?.map((specification) => specification.ResourceType)).toEqual([
      'instance',
      'volume',
    ]);
  });

  it('stores long idempotency keys as their token, so the tag value stays within 256 characters', () => {
    const key = 'k'.repeat(300);
    const input = buildRunInstancesInput(validated, 't3.micro', key);
    expect(input.TagSpecifications?.[0]?.Tags).toContainEqual({
      Key: 'novacron:idempotency-key',
      Value: clientTokenFor(key),
    });
  });
});
