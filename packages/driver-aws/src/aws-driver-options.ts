import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EC2Client, EC2ClientConfig } from '@aws-sdk/client-ec2';
import { assertKnownOptions, type OptionKeys } from '@novacron/core/driver';
import type { AwsPriceTable } from './aws-price-table.js';

/** Options of {@link createAwsDriver}. */
export interface AwsDriverOptions {
  /** The AWS region this driver serves (`eu-west-1`). Required; one driver per region. */
  region: string;
  /**
   * Credentials, or a provider of them. Default: the SDK's own chain (environment, shared config and SSO profiles,
   * web identity, container and instance roles). Ignored when `client` is given.
   */
  credentials?: EC2ClientConfig['credentials'] | undefined;
  /**
   * An `EC2Client` to use instead of making one (tests, custom middleware, shared clients). Default: a client made
   * from `region`, `credentials` and `endpoint` with `maxAttempts: 1`. An injected client keeps its own retry
   * settings: set `maxAttempts: 1` on it too, or the SDK and NovaCron's pipeline will both retry.
   */
  client?: EC2Client | undefined;
  /** A CloudWatch client for metrics. Default: one made like the EC2 client (same region, credentials, endpoint). */
  cloudWatchClient?: CloudWatchClient | undefined;
  /** An endpoint URL for EC2 and CloudWatch (moto, LocalStack, a VPC endpoint). Default: AWS's public endpoints. */
  endpoint?: string | undefined;
  /** Hourly prices per instance type for `doListSizes` and cost reports. Default: none (sizes carry no price). */
  priceTable?: AwsPriceTable | undefined;
  /** The AMI used when a create spec names no image. Default: none (the spec must name one). */
  defaultImage?: string | undefined;
  /** Which images `doListImages` lists. Default: owners `['self', 'amazon']`, every name. */
  images?: { owners?: string[] | undefined; namePatterns?: string[] | undefined } | undefined;
  /**
   * Instance families searched when a create spec gives `resources` but no `size`; the smallest (cheapest, where the
   * price table knows) type that fits wins. Default: `['t3', 'm5', 'c5', 'r5']` (offered in every commercial region).
   */
  sizeFamilies?: string[] | undefined;
  /**
   * When a create looks its idempotency key up (by the `novacron:idempotency-key` tag) before sending RunInstances:
   * `'retries'` (default) on retries only, relying on the ClientToken for the first attempt (real EC2 honours it);
   * `'always'` on every attempt too, for EC2-compatible APIs that ignore ClientToken (moto) when keys may be reused
   * across operations.
   */
  idempotencyLookup?: 'retries' | 'always' | undefined;
}

const WHERE = 'createAwsDriver';
const OPTION_KEYS: OptionKeys<AwsDriverOptions> = {
  region: true,
  credentials: true,
  client: true,
  cloudWatchClient: true,
  endpoint: true,
  priceTable: true,
  defaultImage: true,
  images: true,
  sizeFamilies: true,
  idempotencyLookup: true,
};
const IMAGES_KEYS: OptionKeys<NonNullable<AwsDriverOptions['images']>> = { owners: true, namePatterns: true };

/**
 * Refuses unknown keys (a typo must not be silently ignored) with a `TypeError` naming them and the accepted ones, in
 * the options and in `images`. What is passed through to the AWS SDK is not looked into: `credentials` (the SDK's
 * credentials or provider), `client` and `cloudWatchClient`; `priceTable` is keyed by instance type.
 */
export function assertAwsDriverOptions(options: AwsDriverOptions): void {
  assertKnownOptions(WHERE, options, OPTION_KEYS);
  assertKnownOptions(WHERE, options?.images, IMAGES_KEYS, 'images');
}
