import type { ResourceSku } from '@azure/arm-compute';
import type { Size } from '@novacron/core';

/** Hourly prices by VM size name (`{ Standard_B2s: 0.0416 }`), in the currency you bill in. */
export type AzurePriceTable = Readonly<Record<string, number>>;

/** A VM size from the resource SKUs, with what restricts it. */
export interface AzureSize extends Size {
  /** True when the subscription may not use this size in some of its locations (`NotAvailableForSubscription`). */
  restricted: boolean;
  /** The restrictions' reason codes, by location. */
  restrictedIn: string[];
}

/** A SKU capability by name, as a number: the API sends every capability as a string (`"vCPUs": "2"`). */
function capability(skuRecord: ResourceSku, name: string): number | undefined {
  const raw = skuRecord.capabilities?.find((each) => each.name === name)?.value;
  const value = raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * The VM sizes among resource SKUs (disks and other kinds are skipped): vCPUs and memory read from the string
 * capabilities, locations, restrictions flagged, and the price from `priceTable` when it has one.
 *
 * @example
 * toAzureSizes([{ resourceType: 'virtualMachines', name: 'Standard_B2s', capabilities: [{ name: 'vCPUs', value: '2' }, { name: 'MemoryGB', value: '4' }] }]);
 * // [{ name: 'Standard_B2s', resources: { vcpus: 2, memoryMiB: 4096 }, restricted: false, ... }]
 */
export function toAzureSizes(skus: readonly ResourceSku[], priceTable?: AzurePriceTable): AzureSize[] {
  const sizes: AzureSize[] = [];
  for (const skuRecord of skus) {
    if (skuRecord.resourceType !== 'virtualMachines' || skuRecord.name === undefined) continue;
    const vcpus = capability(skuRecord, 'vCPUs');
    const memoryGB = capability(skuRecord, 'MemoryGB');
    if (vcpus === undefined || memoryGB === undefined) continue;
    const restrictions = skuRecord.restrictions ?? [];
    const restrictedIn = restrictions.flatMap((restriction) =>
      (restriction.restrictionInfo?.locations ?? restriction.values ?? []).map(
        (location) => `${location}: ${restriction.reasonCode ?? restriction.type ?? 'restricted'}`,
      ),
    );
    const size: AzureSize = {
      name: skuRecord.name,
      resources: { vcpus, memoryMiB: Math.round(memoryGB * 1024) },
      locations: skuRecord.locations ?? [],
      restricted: restrictions.length > 0,
      restrictedIn,
    };
    const gpus = capability(skuRecord, 'GPUs');
    if (gpus !== undefined) size.resources.gpus = gpus;
    const price = priceTable?.[skuRecord.name];
    if (price !== undefined) size.pricePerHour = price;
    sizes.push(size);
  }
  return sizes.sort((a, b) => a.name.localeCompare(b.name));
}
