import { createHash } from 'node:crypto';
import type { VirtualMachine } from '@azure/arm-compute';
import type { NetworkInterface } from '@azure/arm-network';
import { type CreateVmSpec, NovaCronError } from '@novacron/core';
import { parseProviderOptions } from '@novacron/core/driver';
import { type ZodType, z } from 'zod';

/** The tag holding a create's idempotency key. */
export const IDEMPOTENCY_TAG_KEY = 'novacron-idempotency-key';
/** The tag holding the fingerprint of the spec a VM was made from, so a reused key with another spec is caught. */
export const SPEC_TAG_KEY = 'novacron-spec';
/** Tags an Azure resource may carry (50), less the two NovaCron writes. */
export const MAX_USER_TAGS = 48;

/** `providerOptions.azure` of a create. */
export interface AzureCreateOptions {
  /** The subnet the VM's NIC is made in (a full resource id). Required. */
  subnetId: string;
  /** The Linux admin user. Default `novacron`. */
  adminUsername?: string | undefined;
  /** An OpenSSH public key for the admin user. One of this or `adminPassword` is required. */
  sshPublicKey?: string | undefined;
  /** A password for the admin user (password login is then allowed). */
  adminPassword?: string | undefined;
  /** Keep the NIC when the VM is deleted. Default false: the NIC is deleted with the VM (`deleteOption: Delete`). */
  keepNetworkInterface?: boolean | undefined;
  /** An availability zone (`1`, `2`, `3`). Default: none (regional). */
  zone?: string | undefined;
  /**
   * The guest OS family, which decides the OS profile and the computer-name rules. Default: `windows` for a
   * marketplace image whose publisher starts with `MicrosoftWindows`, else `linux`.
   */
  os?: 'linux' | 'windows' | undefined;
}

const createOptionsSchema: ZodType<AzureCreateOptions> = z.strictObject({
  subnetId: z
    .string()
    .regex(
      /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i,
      {
        message: 'must be a subnet resource id (/subscriptions/.../virtualNetworks/<vnet>/subnets/<subnet>)',
      },
    ),
  adminUsername: z.string().min(1).max(64).optional(),
  sshPublicKey: z.string().startsWith('ssh-').optional(),
  adminPassword: z.string().min(12).max(123).optional(),
  keepNetworkInterface: z.boolean().optional(),
  zone: z
    .string()
    .regex(/^[1-9]$/)
    .optional(),
  os: z.enum(['linux', 'windows']).optional(),
});

/** A create spec checked for Azure, with what the request bodies need. */
export interface ValidatedCreate {
  name: string;
  size: string;
  location: string;
  image: ImageReference;
  /** The guest OS family (the option, or what the image says). */
  os: 'linux' | 'windows';
  options: AzureCreateOptions;
  tags: Record<string, string>;
  userData?: string | undefined;
  /** The fingerprint of everything that shapes the VM, for the spec tag. */
  fingerprint: string;
}

interface ImageReference {
  id?: string;
  publisher?: string;
  offer?: string;
  sku?: string;
  version?: string;
}

/**
 * A marketplace URN (`publisher:offer:sku:version`, as `az vm create --image` takes it) or a resource id
 * (`/subscriptions/.../images/<name>` or a gallery image version).
 */
export function parseImage(image: string): ImageReference | undefined {
  if (image.startsWith('/subscriptions/')) return { id: image };
  const parts = image.split(':');
  if (parts.length !== 4 || parts.some((part) => part === '')) return undefined;
  const [publisher, offer, sku, version] = parts as [string, string, string, string];
  return { publisher, offer, sku, version };
}

/** Checks what only Azure defines (the core has checked the rest); the size is checked by the caller. */
export function validateCreateSpec(spec: CreateVmSpec, defaultLocation: string | undefined): ValidatedCreate {
  const options = parseProviderOptions('azure', spec.providerOptions, createOptionsSchema);
  if (options === undefined) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: 'providerOptions.azure.subnetId',
      message: `Creating VM ${spec.name} on Azure needs the subnet of its network interface: give providerOptions.azure.subnetId.`,
    });
  }
  const image = spec.image === undefined ? undefined : parseImage(spec.image);
  if (image === undefined) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: 'image',
      message: `Creating VM ${spec.name} on Azure needs an image as 'publisher:offer:sku:version' (Canonical:ubuntu-24_04-lts:server:latest) or an image resource id; got ${spec.image === undefined ? 'none' : `'${spec.image}'`}.`,
    });
  }
  const os = options.os ?? (/^MicrosoftWindows/i.test(image.publisher ?? '') ? 'windows' : 'linux');
  checkAccess(spec.name, os, options);
  if (os === 'windows') checkWindowsComputerName(spec.name);
  const location = spec.location?.region ?? defaultLocation;
  if (location === undefined) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: 'location.region',
      message: `Creating VM ${spec.name} on Azure needs a region: give location.region in the spec or location to createAzureDriver.`,
    });
  }
  if (spec.size === undefined) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: 'size',
      message: `Creating VM ${spec.name} on Azure needs a size (Standard_B2s); list them with nc.sizes.list.`,
    });
  }
  const tags = spec.tags ?? {};
  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify([
        spec.name,
        spec.size,
        spec.image,
        location,
        options.subnetId.toLowerCase(),
        options.zone ?? '',
        options.keepNetworkInterface ?? false,
        Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        spec.userData ?? '',
        options.sshPublicKey ?? '',
        os,
      ]),
    )
    .digest('base64url')
    .slice(0, 32);
  return {
    name: spec.name,
    size: spec.size,
    location,
    image,
    os,
    options,
    tags,
    userData: spec.userData,
    fingerprint,
  };
}

/** A Linux VM needs an SSH key or a password; a Windows VM a password (it takes no SSH key). */
function checkAccess(name: string, os: 'linux' | 'windows', options: AzureCreateOptions): void {
  if (os === 'windows' && options.sshPublicKey !== undefined) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: 'providerOptions.azure.sshPublicKey',
      message: `VM ${name} runs Windows, which Azure gives no SSH key: drop providerOptions.azure.sshPublicKey and give adminPassword (12 to 123 characters).`,
    });
  }
  if (options.adminPassword === undefined && (os === 'windows' || options.sshPublicKey === undefined)) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: os === 'windows' ? 'providerOptions.azure.adminPassword' : 'providerOptions.azure.sshPublicKey',
      message:
        os === 'windows'
          ? `Creating Windows VM ${name} on Azure needs providerOptions.azure.adminPassword (12 to 123 characters) for its admin user.`
          : `Creating VM ${name} on Azure needs a way in for its admin user: give providerOptions.azure.sshPublicKey (or adminPassword).`,
    });
  }
}

/**
 * Azure's Windows computer-name rules, for the VM name (which is its computer name): at most 15 characters, no `.`
 * (the driver's name pattern already refuses the other characters Windows forbids), not only digits.
 */
function checkWindowsComputerName(name: string): void {
  const broken =
    name.length > 15
      ? `is ${name.length} characters long, and a Windows computer name holds at most 15`
      : name.includes('.')
        ? 'contains a period, which a Windows computer name may not'
        : /^\d+$/.test(name)
          ? 'is only digits, which a Windows computer name may not be'
          : undefined;
  if (broken !== undefined) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: 'name',
      message: `The name of Windows VM ${name} ${broken}. Choose a name of up to 15 letters, digits and hyphens with at least one letter.`,
    });
  }
}

/** The NIC's name: the VM's name with `-nic`, so a retried create finds the NIC its first attempt made. */
export function nicNameFor(vmName: string): string {
  return `${vmName}-nic`;
}

/** The NIC body (SDK model, flat: the SDK nests it under `properties` on the wire). */
export function buildNicBody(create: ValidatedCreate, idempotencyKey: string): NetworkInterface {
  return {
    location: create.location,
    tags: { [IDEMPOTENCY_TAG_KEY]: idempotencyKey },
    ipConfigurations: [
      {
        name: 'ipconfig1',
        subnet: { id: create.options.subnetId },
        privateIPAllocationMethod: 'Dynamic',
        primary: true,
      },
    ],
  };
}

/**
 * The VM body in the SDK's flat model (`hardwareProfile`, `storageProfile`... at the top: the SDK moves them under
 * `properties`; a `{ properties: {...} }` object here would be dropped without a word).
 */
export function buildVmBody(create: ValidatedCreate, nicId: string, idempotencyKey: string): VirtualMachine {
  const { options } = create;
  const adminUsername = options.adminUsername ?? 'novacron';
  const body: VirtualMachine = {
    location: create.location,
    tags: { ...create.tags, [IDEMPOTENCY_TAG_KEY]: idempotencyKey, [SPEC_TAG_KEY]: create.fingerprint },
    hardwareProfile: { vmSize: create.size },
    storageProfile: {
      imageReference: create.image,
      osDisk: {
        createOption: 'FromImage',
        deleteOption: 'Delete',
        managedDisk: { storageAccountType: 'StandardSSD_LRS' },
      },
    },
    osProfile: {
      computerName: create.name.slice(0, 64),
      adminUsername,
      ...(options.adminPassword === undefined ? {} : { adminPassword: options.adminPassword }),
      ...(create.os === 'windows'
        ? { windowsConfiguration: { provisionVMAgent: true, enableAutomaticUpdates: true } }
        : {
            linuxConfiguration: {
              disablePasswordAuthentication: options.adminPassword === undefined,
              ...(options.sshPublicKey === undefined
                ? {}
                : {
                    ssh: {
                      publicKeys: [
                        {
                          path: `/home/${adminUsername}/.ssh/authorized_keys`,
                          keyData: options.sshPublicKey,
                        },
                      ],
                    },
                  }),
            },
          }),
    },
    networkProfile: {
      networkInterfaces: [
        {
          id: nicId,
          primary: true,
          deleteOption: options.keepNetworkInterface === true ? 'Detach' : 'Delete',
        },
      ],
    },
  };
  if (options.zone !== undefined) body.zones = [options.zone];
  if (create.userData !== undefined) body.userData = Buffer.from(create.userData, 'utf8').toString('base64');
  return body;
}
