import type { ComputeManagementClient, ComputeManagementClientOptionalParams } from '@azure/arm-compute';
import type { NetworkManagementClient } from '@azure/arm-network';
import { assertKnownOptions, type OptionKeys } from '@novacron/core/driver';
import type { AzureImageScope } from './azure-images.js';
import type { AzurePriceTable } from './azure-sizes.js';

/** The credential the SDK clients take (`DefaultAzureCredential`, a `ClientSecretCredential`, a test double). */
export type AzureCredential = ConstructorParameters<typeof ComputeManagementClient>[0];

/** The SDK clients the driver talks through, as {@link AzureDriver.getClient} returns them. */
export interface AzureClients {
  compute: ComputeManagementClient;
  network: NetworkManagementClient;
}

/** Options of {@link createAzureDriver}. */
export interface AzureDriverOptions {
  /** The subscription the driver manages. Required. */
  subscriptionId: string;
  /**
   * The resource group VMs are made in and listed from. Default: none, which lists every VM of the subscription;
   * a create then needs one, so give it for a driver that creates.
   */
  resourceGroup?: string | undefined;
  /** The Azure region of new VMs when a spec names none (`westeurope`). Default: none (the spec must name one). */
  location?: string | undefined;
  /** Who the driver is. Default: a new `DefaultAzureCredential` (environment, workload identity, managed identity, Azure CLI...). */
  credential?: AzureCredential | undefined;
  /**
   * SDK clients to use instead of making them (tests, custom pipelines). Default: clients made from `credential`,
   * `endpoint` and `tlsOptions` with the SDK's retries off. Injected clients keep their own retry settings: turn
   * them off too (`retryOptions: { maxRetries: 0 }`), or the SDK and NovaCron's pipeline both retry.
   */
  clients?: AzureClients | undefined;
  /** The Resource Manager endpoint. Default: the SDK's (`https://management.azure.com`). */
  endpoint?: string | undefined;
  /** TLS settings for the SDK's HTTP client, such as `{ ca }` for a private endpoint. Default: Node's. */
  tlsOptions?: ComputeManagementClientOptionalParams['tlsOptions'] | undefined;
  /**
   * Which marketplace images `images.list` walks: `{ publishers, offers }`. Default: the publishers
   * `Canonical`, `Debian`, `RedHat`, `SUSE` and `MicrosoftWindowsServer`, every offer.
   */
  images?: AzureImageScope | undefined;
  /** Hourly prices per VM size for `sizes.list`. Default: none (sizes carry no price). */
  priceTable?: AzurePriceTable | undefined;
  /**
   * How long to wait between polls of a long-running operation when Resource Manager sends no positive
   * `Retry-After`. Default: the SDK's (2,000 ms). A positive `Retry-After` always wins.
   */
  pollIntervalMs?: number | undefined;
}

/** Every accepted option: the compiler keeps this list and the interface in step. */
const AZURE_OPTION_KEYS: OptionKeys<AzureDriverOptions> = {
  subscriptionId: true,
  resourceGroup: true,
  location: true,
  credential: true,
  clients: true,
  endpoint: true,
  tlsOptions: true,
  priceTable: true,
  pollIntervalMs: true,
  images: true,
};

const IMAGE_KEYS: OptionKeys<AzureImageScope> = { publishers: true, offers: true };

const CLIENT_KEYS: OptionKeys<AzureClients> = { compute: true, network: true };

/**
 * Checks the factory's options: unknown keys (a typo such as `subscriptionID`) are a `TypeError` naming them, and a
 * subscription id is required.
 */
export function assertAzureDriverOptions(options: AzureDriverOptions): void {
  assertKnownOptions('createAzureDriver', options, AZURE_OPTION_KEYS);
  if (options.clients !== undefined)
    assertKnownOptions('createAzureDriver', options.clients, CLIENT_KEYS, 'clients');
  if (options.images !== undefined)
    assertKnownOptions('createAzureDriver', options.images, IMAGE_KEYS, 'images');
  if (typeof options.subscriptionId !== 'string' || options.subscriptionId === '') {
    throw new TypeError(
      "createAzureDriver needs a subscriptionId, for example { subscriptionId: '00000000-0000-0000-0000-000000000000' }.",
    );
  }
}
