import type { OptionalCapability } from '../driver/capability-check.js';
import type { DriverCallContext, DriverV1 } from '../driver/driver-v1.js';
import type { Page, PageRequest } from '../driver/page.js';
import type { Image, Location, Size } from '../model/catalog.js';
import type { Host } from '../model/host.js';
import { paginate } from '../paginators/paginate.js';
import { FanOutListing } from './fan-out.js';
import { type ListOptions, resolvePageSize, selectProviders } from './list-options.js';
import type { OperationRunner } from './operation-runner.js';

/** An item of a catalog list, with the provider it came from. */
export type FromProvider<T> = T & { provider: string };

type CatalogFetch<T> = (
  driver: DriverV1,
  request: PageRequest,
  context: DriverCallContext,
) => Promise<Page<T>>;

/**
 * Lists of hosts, sizes, images and locations, each a `for await` iterable that follows every page and fans out
 * across providers. Providers without the capability are skipped in a fan-out, and refused with `UNSUPPORTED`
 * when named explicitly.
 */
export class CatalogApi {
  constructor(
    private readonly runner: OperationRunner,
    private readonly providerNames: () => string[],
  ) {}

  /** Hypervisor hosts (capability `hosts`). */
  hosts(options: ListOptions = {}): FanOutListing<FromProvider<Host>> {
    return this.list('hosts.list', 'hosts', options, (driver, request, context) =>
      driver.doListHosts!(request, context),
    );
  }

  /** Machine sizes (capability `sizes`). */
  sizes(options: ListOptions = {}): FanOutListing<FromProvider<Size>> {
    return this.list('sizes.list', 'sizes', options, (driver, request, context) =>
      driver.doListSizes!(request, context),
    );
  }

  /** Images (capability `images`). */
  images(options: ListOptions = {}): FanOutListing<FromProvider<Image>> {
    return this.list('images.list', 'images', options, (driver, request, context) =>
      driver.doListImages!(request, context),
    );
  }

  /** Regions and zones (capability `locations`). */
  locations(options: ListOptions = {}): FanOutListing<FromProvider<Location>> {
    return this.list('locations.list', 'locations', options, (driver, request, context) =>
      driver.doListLocations!(request, context),
    );
  }

  private list<T>(
    operation: string,
    capability: OptionalCapability,
    options: ListOptions,
    fetch: CatalogFetch<T>,
  ): FanOutListing<FromProvider<T>> {
    // Across every provider, those without the capability are left out; a provider named explicitly is asked anyway,
    // so that the listing rejects with the runner's one UNSUPPORTED error.
    const explicit = options.provider !== undefined;
    const providers = selectProviders(options.provider, this.providerNames()).filter(
      (provider) =>
        explicit || this.runner.runtime(provider, operation).driver.capabilities[capability] === true,
    );
    const sources = providers.map((provider) => ({
      provider,
      items: () =>
        mapItems(
          paginate(
            (cursor) =>
              this.runner.run({
                name: operation,
                provider,
                input: { cursor },
                idempotent: true,
                signal: options.signal,
                capability,
                call: (driver, context) => {
                  const pageSize = resolvePageSize(options.pageSize, driver.capabilities.maxPageSize, {
                    provider,
                    operation,
                  });
                  return fetch(driver, { ...(cursor !== undefined ? { cursor } : {}), pageSize }, context);
                },
              }),
            `${operation} on '${provider}'`,
          ),
          (item) => ({ ...item, provider }),
        ),
    }));
    return new FanOutListing(operation, sources, options.partial ?? 'throw');
  }
}

async function* mapItems<T, U>(items: AsyncIterable<T>, map: (item: T) => U): AsyncGenerator<U> {
  for await (const item of items) yield map(item);
}
