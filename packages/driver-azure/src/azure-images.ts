import type { ComputeManagementClient, VirtualMachineImageResource } from '@azure/arm-compute';
import { type Image, NovaCronError, type Page, type PageRequest } from '@novacron/core';
import { createCursorCodec } from '@novacron/core/driver';
import type { AzureCall } from './azure-vm-addresses.js';

/** Which marketplace images `images.list` walks. */
export interface AzureImageScope {
  /** Publishers, as Azure spells them. Default `Canonical`, `Debian`, `RedHat`, `SUSE`, `MicrosoftWindowsServer`. */
  publishers?: string[] | undefined;
  /** Offers to keep (`ubuntu-24_04-lts`), case-blind. Default: every offer of the publishers. */
  offers?: string[] | undefined;
}

/** The publishers listed by default: the common Linux distributions and Windows Server. */
export const DEFAULT_IMAGE_PUBLISHERS: readonly string[] = [
  'Canonical',
  'Debian',
  'RedHat',
  'SUSE',
  'MicrosoftWindowsServer',
];

/** Where an image list stands: indices into the sorted publishers, offers, SKUs and versions. */
interface ImagePosition {
  publisher: number;
  offer: number;
  sku: number;
  version: number;
}

const imageCursors = createCursorCodec<ImagePosition>({
  driver: 'azure',
  list: 'images',
  isPosition: (value): value is ImagePosition => {
    const position = (value ?? {}) as Record<string, unknown>;
    return ['publisher', 'offer', 'sku', 'version'].every(
      (key) => Number.isSafeInteger(position[key]) && (position[key] as number) >= 0,
    );
  },
});

const byName = (a: string, b: string) => a.toLowerCase().localeCompare(b.toLowerCase());

/**
 * The marketplace images of one region, walked lazily publisher by offer by SKU by version through
 * `virtualMachineImages` (each level is one request), so a page costs a handful of requests however large the
 * marketplace. Each image's id is its URN, `publisher:offer:sku:version`, which a create takes as `image`.
 */
export class AzureImageCatalog {
  constructor(
    private readonly compute: ComputeManagementClient,
    private readonly call: AzureCall,
    private readonly scope: AzureImageScope = {},
  ) {}

  /** One page of images of `location`, at most `maxPageSize`. */
  async list(
    request: PageRequest,
    location: string,
    maxPageSize: number,
    signal: AbortSignal,
  ): Promise<Page<Image>> {
    const publishers = [...(this.scope.publishers ?? DEFAULT_IMAGE_PUBLISHERS)].sort(byName);
    const offers = this.scope.offers?.map((offer) => offer.toLowerCase());
    const pageSize = Math.min(request.pageSize ?? maxPageSize, maxPageSize);
    const at = imageCursors.decode(request.cursor) ?? { publisher: 0, offer: 0, sku: 0, version: 0 };
    // One page may walk several SKUs of one offer: each level is read once per page.
    const read = new Map<string, Promise<string[]>>();
    const names = (action: string, path: string[], list: () => Promise<VirtualMachineImageResource[]>) => {
      const key = path.join('/');
      if (!read.has(key)) read.set(key, this.names(action, signal, list));
      return read.get(key)!;
    };
    const items: Image[] = [];
    while (at.publisher < publishers.length && items.length < pageSize) {
      const publisher = publishers[at.publisher]!;
      const offerNames = (
        await names('virtualMachineImages.listOffers', [publisher], () =>
          this.compute.virtualMachineImages.listOffers(location, publisher, { abortSignal: signal }),
        )
      ).filter((name) => offers === undefined || offers.includes(name.toLowerCase()));
      const offer = offerNames[at.offer];
      if (offer === undefined) {
        Object.assign(at, { publisher: at.publisher + 1, offer: 0, sku: 0, version: 0 });
        continue;
      }
      const sku = (
        await names('virtualMachineImages.listSkus', [publisher, offer], () =>
          this.compute.virtualMachineImages.listSkus(location, publisher, offer, { abortSignal: signal }),
        )
      )[at.sku];
      if (sku === undefined) {
        Object.assign(at, { offer: at.offer + 1, sku: 0, version: 0 });
        continue;
      }
      const versions = await names('virtualMachineImages.list', [publisher, offer, sku], () =>
        this.compute.virtualMachineImages.list(location, publisher, offer, sku, { abortSignal: signal }),
      );
      const taken = versions.slice(at.version, at.version + pageSize - items.length);
      items.push(...taken.map((version) => toImage(publisher, offer, sku, version, location)));
      at.version += taken.length;
      if (at.version >= versions.length) Object.assign(at, { sku: at.sku + 1, version: 0 });
    }
    const page: Page<Image> = { items };
    if (at.publisher < publishers.length) page.nextCursor = imageCursors.encode(at);
    return page;
  }

  /** The sorted names of one level; a publisher, offer or SKU Azure does not know has none. */
  private async names(
    action: string,
    signal: AbortSignal,
    read: () => Promise<VirtualMachineImageResource[]>,
  ): Promise<string[]> {
    try {
      const resources = await this.call({ action }, signal, read);
      return resources.map((resource) => resource.name).sort(byName);
    } catch (error) {
      if (NovaCronError.isInstance(error) && error.code === 'NOT_FOUND') return [];
      throw error;
    }
  }
}

function toImage(publisher: string, offer: string, sku: string, version: string, location: string): Image {
  const urn = `${publisher}:${offer}:${sku}:${version}`;
  return {
    id: urn,
    name: urn,
    ...(/^MicrosoftWindows/i.test(publisher) ? { os: 'windows' } : {}),
    raw: { publisher, offer, sku, version, location },
  };
}
