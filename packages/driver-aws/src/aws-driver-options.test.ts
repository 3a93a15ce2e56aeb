import { EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { createAwsDriver } from './aws-driver.js';

describe('aws options', () => {
  it('refuses an unknown option with a TypeError naming it and listing the accepted ones', () => {
    const call = () => createAwsDriver({ region: 'eu-west-1', endpointUrl: 'http://x' } as never);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(
      /createAwsDriver: unknown option 'endpointUrl'\. Accepted options: region, credentials, /,
    );
  });

  it('checks the images bag, but not the SDK objects passed through', () => {
    expect(() => createAwsDriver({ region: 'eu-west-1', images: { owner: ['self'] } } as never)).toThrow(
      /'images\.owner'.*owners, namePatterns/,
    );
    expect(() =>
      createAwsDriver({
        region: 'eu-west-1',
        client: new EC2Client({ region: 'eu-west-1' }),
        credentials: { accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 'c' },
        priceTable: { 't3.micro': 0.01 },
        images: { owners: ['self'], namePatterns: ['debian-*'] },
        sizeFamilies: ['t3'],
        idempotencyLookup: 'always',
        defaultImage: 'ami-1',
        endpoint: 'http://localhost:5000',
      }),
    ).not.toThrow();
  });
});
