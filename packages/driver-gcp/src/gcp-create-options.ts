import type { protos } from '@google-cloud/compute';
import { parseProviderOptions } from '@novacron/core/driver';
import { type ZodType, z } from 'zod';

type Instance = protos.google.cloud.compute.v1.IInstance;
type AttachedDisk = protos.google.cloud.compute.v1.IAttachedDisk;
type NetworkInterface = protos.google.cloud.compute.v1.INetworkInterface;

/**
 * The Compute Engine extras a create spec may carry in `providerOptions.gcp`. Every field is optional; the defaults
 * are an internal-only VM on the `default` network with a boot disk the image's size, deleted with the VM.
 *
 * @example
 * const spec: CreateVmSpec = {
 *   name: 'web-1', size: 'e2-small',
 *   providerOptions: { gcp: { subnetwork: 'web', externalIp: 'ephemeral', bootDisk: { sizeGb: 20, type: 'pd-balanced' } } },
 * };
 */
export interface GcpCreateOptions {
  /**
   * The VPC network: a name (`default`, `prod`) or a path (`projects/host-project/global/networks/shared`, for a
   * Shared VPC). Default `default`, or the subnetwork's network when only `subnetwork` is given.
   */
  network?: string | undefined;
  /**
   * The subnetwork: a name, looked up in the region of the VM's zone, or a path
   * (`projects/host-project/regions/europe-west1/subnetworks/web`). Default: the network's subnetwork in the region.
   */
  subnetwork?: string | undefined;
  /**
   * An external IPv4 address: `'none'` (internal only), `'ephemeral'`, or `{ address: '203.0.113.7' }`, a static
   * address reserved in the VM's region (give its IP, as `gcloud compute addresses describe` shows it). Default
   * `'none'`.
   */
  externalIp?: 'none' | 'ephemeral' | { address: string } | undefined;
  /** The boot disk. */
  bootDisk?:
    | {
        /** Size in GB, 10 to 65,536. Default: the image's size. */
        sizeGb?: number | undefined;
        /** Disk type name (`pd-balanced`, `pd-ssd`, `hyperdisk-balanced`). Default: the machine series' default. */
        type?: string | undefined;
        /** Delete the disk with the VM. Default true. */
        autoDelete?: boolean | undefined;
      }
    | undefined;
  /** The service account the VM runs as. Default: none (the VM gets no Google credentials). */
  serviceAccount?:
    | {
        /** Its email, or `default` for the project's Compute Engine default service account. */
        email: string;
        /**
         * OAuth scopes: full URLs or short names (`cloud-platform` = `https://www.googleapis.com/auth/cloud-platform`).
         * Default `['cloud-platform']` (access is then governed by the account's IAM roles, as Google recommends).
         */
        scopes?: string[] | undefined;
      }
    | undefined;
  /** A Spot VM: much cheaper, stopped when Compute Engine needs the capacity back. Default false. */
  spot?: boolean | undefined;
}

const NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const NETWORK_PATH = /^(?:projects\/[^/]+\/)?global\/networks\/[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const SUBNETWORK_PATH =
  /^(?:projects\/[^/]+\/)?regions\/[a-z]+-[a-z]+\d+\/subnetworks\/[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const EMAIL = /^(?:default|[^\s@]+@[^\s@]+\.[^\s@]+)$/;
const SCOPE = /^(?:https:\/\/www\.googleapis\.com\/auth\/[\w.-]+|[a-z][\w.-]*)$/;
const SCOPE_PREFIX = 'https://www.googleapis.com/auth/';

/** `providerOptions.gcp` of a create: unknown keys are refused (a typo must not be ignored). */
const gcpCreateOptionsSchema: ZodType<GcpCreateOptions> = z.strictObject({
  network: z
    .string()
    .refine(
      (value) => NAME.test(value) || NETWORK_PATH.test(value),
      'must be a network name (lower case, digits, -) or projects/<project>/global/networks/<name>',
    )
    .optional(),
  subnetwork: z
    .string()
    .refine(
      (value) => NAME.test(value) || SUBNETWORK_PATH.test(value),
      'must be a subnetwork name or projects/<project>/regions/<region>/subnetworks/<name>',
    )
    .optional(),
  externalIp: z
    .union(
      [
        z.enum(['none', 'ephemeral']),
        z.strictObject({ address: z.string().regex(IPV4, 'must be an IPv4 address such as 203.0.113.7') }),
      ],
      "must be 'none', 'ephemeral' or { address: '<reserved IPv4 address>' }",
    )
    .optional(),
  bootDisk: z
    .strictObject({
      sizeGb: z
        .number()
        .int('must be a whole number of GB')
        .min(10, 'must be at least 10 GB')
        .max(65_536, 'must be at most 65,536 GB')
        .optional(),
      type: z.string().regex(NAME, 'must be a disk type name such as pd-balanced').optional(),
      autoDelete: z.boolean().optional(),
    })
    .optional(),
  serviceAccount: z
    .strictObject({
      email: z.string().regex(EMAIL, "must be a service account email or 'default'"),
      scopes: z
        .array(z.string().regex(SCOPE, 'must be a scope URL or a short name such as cloud-platform'))
        .optional(),
    })
    .optional(),
  spot: z.boolean().optional(),
});

/**
 * Reads `providerOptions.gcp` of a create, before any request.
 *
 * @returns the options, or `{}` when there are none.
 * @throws NovaCronError `INVALID_ARGUMENT` whose `field` names the bad option (`providerOptions.gcp.bootDisk.sizeGb`).
 */
export function parseGcpCreateOptions(
  providerOptions: Readonly<Record<string, unknown>> | undefined,
): GcpCreateOptions {
  return parseProviderOptions('gcp', providerOptions, gcpCreateOptionsSchema) ?? {};
}

/** The instance's network interface: network, subnetwork (a name resolved in the zone's region) and external IP. */
export function networkInterfaceFor(options: GcpCreateOptions, zone: string): NetworkInterface[] {
  const region = zone.replace(/-[a-z]$/, '');
  const network =
    options.network === undefined
      ? options.subnetwork === undefined
        ? 'global/networks/default'
        : undefined
      : NAME.test(options.network)
        ? `global/networks/${options.network}`
        : options.network;
  const subnetwork =
    options.subnetwork === undefined || !NAME.test(options.subnetwork)
      ? options.subnetwork
      : `regions/${region}/subnetworks/${options.subnetwork}`;
  const externalIp = options.externalIp ?? 'none';
  return [
    {
      ...(network === undefined ? {} : { network }),
      ...(subnetwork === undefined ? {} : { subnetwork }),
      ...(externalIp === 'none'
        ? {}
        : {
            accessConfigs: [
              {
                name: 'External NAT',
                type: 'ONE_TO_ONE_NAT',
                ...(externalIp === 'ephemeral' ? {} : { natIP: externalIp.address }),
              },
            ],
          }),
    },
  ];
}

/** The boot disk from `sourceImage` with the `bootDisk` options (size as Compute Engine's 64-bit decimal string). */
export function bootDiskFor(options: GcpCreateOptions, zone: string, sourceImage: string): AttachedDisk[] {
  const disk = options.bootDisk ?? {};
  return [
    {
      boot: true,
      autoDelete: disk.autoDelete ?? true,
      initializeParams: {
        sourceImage,
        ...(disk.sizeGb === undefined ? {} : { diskSizeGb: String(disk.sizeGb) }),
        ...(disk.type === undefined ? {} : { diskType: `zones/${zone}/diskTypes/${disk.type}` }),
      },
    },
  ];
}

/** The service account and the scheduling of a Spot VM, where asked for. */
export function accountAndSchedulingFor(
  options: GcpCreateOptions,
): Pick<Instance, 'serviceAccounts' | 'scheduling'> {
  const account = options.serviceAccount;
  return {
    ...(account === undefined
      ? {}
      : {
          serviceAccounts: [
            {
              email: account.email,
              scopes: (account.scopes ?? ['cloud-platform']).map((scope) =>
                scope.startsWith(SCOPE_PREFIX) ? scope : `${SCOPE_PREFIX}${scope}`,
              ),
            },
          ],
        }),
    // Spot VMs cannot restart automatically or live-migrate; they stop when preempted.
    ...(options.spot === true
      ? {
          scheduling: {
            provisioningModel: 'SPOT',
            instanceTerminationAction: 'STOP',
            automaticRestart: false,
            onHostMaintenance: 'TERMINATE',
          },
        }
      : {}),
  };
}
