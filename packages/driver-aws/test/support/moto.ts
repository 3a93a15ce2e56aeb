import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { DriverCallContext, DriverCreateContext } from '@novacron/core';
import { inject } from 'vitest';
import { type AwsDriver, type AwsDriverOptions, createAwsDriver } from '../../src/index.js';

/** The moto server of this test run ('' when moto is missing and the tests skip). */
export const motoUrl: string = inject('motoUrl');

/** Why the moto-backed tests skip, or false when they run. */
export const skipWithoutMoto: string | false =
  motoUrl === '' ? `moto is not installed: ${inject('motoMissingReason')}` : false;

/** moto accepts any credentials; these never leave the machine. */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/** An AMI that moto ships in every region. */
export const MOTO_IMAGE = 'ami-03cf127a';

/** An aws driver pointed at moto in `us-east-1`. */
export function motoDriver(options: Partial<AwsDriverOptions> = {}): AwsDriver {
  return createAwsDriver({
    region: 'us-east-1',
    endpoint: motoUrl,
    credentials: MOTO_CREDENTIALS,
    ...options,
  });
}

/** A raw EC2 client pointed at moto, for arranging and checking state behind the driver's back. */
export function motoClient(region = 'us-east-1'): EC2Client {
  return new EC2Client({ region, endpoint: motoUrl, credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
}

/** The ids of the instances tagged with idempotency key `key`, read behind the driver's back. */
export async function instancesWithKey(client: EC2Client, key: string): Promise<string[]> {
  const output = await client.send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'tag:novacron:idempotency-key', Values: [key] }] }),
  );
  return (output.Reservations ?? []).flatMap((reservation) =>
    (reservation.Instances ?? []).map((instance) => instance.InstanceId ?? ''),
  );
}

/** Empties moto. */
export async function resetMoto(): Promise<void> {
  const response = await fetch(`${motoUrl}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`moto reset answered ${response.status}`);
}

let operations = 0;

/** A call context as the core's pipeline would pass it. */
export function callContext(attempt = 1): DriverCallContext {
  operations += 1;
  return { signal: new AbortController().signal, operationId: `test-op-${operations}`, attempt };
}

/** A create context with `idempotencyKey`. */
export function createContext(idempotencyKey: string, attempt = 1): DriverCreateContext {
  return { ...callContext(attempt), idempotencyKey };
}
