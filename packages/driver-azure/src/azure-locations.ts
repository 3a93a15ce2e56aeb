import type { ResourceSku } from '@azure/arm-compute';
import type { Location } from '@novacron/core';

/**
 * The regions and zones where the subscription has VM sizes, derived from resource SKUs: regions from each VM SKU's
 * `locations`, zones from its `locationInfo[].zones`. (The published contract the driver is built from holds no
 * subscriptions API, whose `listLocations` would also name regions without VM sizes.) A zone's id is
 * `<region>-<zone>` (`westeurope-1`), its `region` the region; regions sorted by name, each followed by its zones.
 *
 * @example
 * toAzureLocations([{ resourceType: 'virtualMachines', name: 'Standard_B1s', locations: ['westeurope'], locationInfo: [{ location: 'westeurope', zones: ['2', '1'] }] }]);
 * // [{ id: 'westeurope', kind: 'region' }, { id: 'westeurope-1', kind: 'zone', region: 'westeurope' }, { id: 'westeurope-2', ... }]
 */
export function toAzureLocations(skus: readonly ResourceSku[]): Location[] {
  const zones = new Map<string, Set<string>>();
  for (const sku of skus) {
    if (sku.resourceType !== 'virtualMachines') continue;
    for (const region of sku.locations ?? []) {
      if (!zones.has(region.toLowerCase())) zones.set(region.toLowerCase(), new Set());
    }
    for (const info of sku.locationInfo ?? []) {
      if (info.location === undefined) continue;
      const known = zones.get(info.location.toLowerCase()) ?? new Set<string>();
      for (const zone of info.zones ?? []) known.add(zone);
      zones.set(info.location.toLowerCase(), known);
    }
  }
  return [...zones.keys()]
    .sort()
    .flatMap((region) => [
      { id: region, kind: 'region' as const },
      ...[...zones.get(region)!]
        .sort()
        .map((zone) => ({ id: `${region}-${zone}`, kind: 'zone' as const, region })),
    ]);
}
