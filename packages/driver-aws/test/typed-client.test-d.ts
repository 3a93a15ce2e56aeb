// Type-level test: `tsc` checks this file (npm run typecheck); vitest does not run it.
import type { EC2Client } from '@aws-sdk/client-ec2';
import { createNovaCron } from '@novacron/core';
import { expectTypeOf } from 'vitest';
import { createAwsDriver } from '../src/index.js';

export function awsViewHandsBackTheEc2Client(): void {
  const nc = createNovaCron({
    providers: {
      aws: createAwsDriver({ region: 'eu-west-1' }),
      us: createAwsDriver({ region: 'us-east-1' }),
    },
  });
  expectTypeOf(nc.driver('aws').getClient()).toEqualTypeOf<EC2Client>();
  const view = nc.driver('aws');
  expectTypeOf<typeof view.kind>().toEqualTypeOf<'aws'>();
  // @ts-expect-error: 'eu' names no provider
  void nc.vms.create({ provider: 'eu', name: 'x' });
  // @ts-expect-error: no do* methods on the view
  void nc.driver('aws').doCreateVm;
}
