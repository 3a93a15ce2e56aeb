/** The subscription the fake serves. */
export const FAKE_SUBSCRIPTION = '00000000-0000-4000-8000-000000000001';
/** The resource group the fake's subnet lives in, and the one tests make VMs in. */
export const FAKE_RESOURCE_GROUP = 'novacron-test';
/** The region every fake SKU and image is offered in. */
export const FAKE_LOCATION = 'westeurope';
/** The subnet that exists unless `subnets` of `startFakeArm` says otherwise. */
export const FAKE_SUBNET_ID = `/subscriptions/${FAKE_SUBSCRIPTION}/resourceGroups/${FAKE_RESOURCE_GROUP}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default`;

/** A resource SKU as `resourceSkus.list` answers it (Microsoft's `ListAvailableResourceSkus` example's shape). */
export interface FakeSku {
  resourceType: string;
  name: string;
  tier: string;
  size?: string;
  family?: string;
  kind?: string;
  locations: string[];
  locationInfo?: Array<{ location: string; zones?: string[] }>;
  capabilities: Array<{ name: string; value: string }>;
  restrictions: Array<{
    type: string;
    values: string[];
    restrictionInfo: { locations: string[] };
    reasonCode: string;
  }>;
}

/**
 * The fake's resource SKUs: capabilities as strings, zones per location, one size restricted in
 * {@link FAKE_LOCATION}, one non-VM SKU (a disk) that a size list must skip, and sizes in two more regions (one
 * without zones) so that locations have something to derive.
 */
export const FAKE_SKUS: readonly FakeSku[] = [
  vmSku('Standard_B1s', '1', '1', { northeurope: ['1', '2', '3'], westus: [] }),
  vmSku('Standard_B2s', '2', '4', { northeurope: ['1', '2', '3'] }),
  vmSku('Standard_D2s_v5', '2', '8', {}),
  vmSku('Standard_D4s_v5', '4', '16', {}),
  {
    ...vmSku('Standard_M416ms_v2', '416', '11400', {}),
    restrictions: [
      {
        type: 'Location',
        values: [FAKE_LOCATION],
        restrictionInfo: { locations: [FAKE_LOCATION] },
        reasonCode: 'NotAvailableForSubscription',
      },
    ],
  },
  {
    resourceType: 'disks',
    name: 'Premium_LRS',
    tier: 'Premium',
    kind: 'Disks',
    locations: [FAKE_LOCATION],
    capabilities: [{ name: 'MaxSizeGiB', value: '4095' }],
    restrictions: [],
  },
];

function vmSku(name: string, vcpus: string, memoryGB: string, more: Record<string, string[]>): FakeSku {
  const zones: Record<string, string[]> = { [FAKE_LOCATION]: ['1', '2', '3'], ...more };
  return {
    resourceType: 'virtualMachines',
    name,
    tier: 'Standard',
    size: name.replace(/^Standard_/, ''),
    family: 'standardFamily',
    locations: Object.keys(zones),
    locationInfo: Object.entries(zones).map(([location, list]) =>
      list.length === 0 ? { location } : { location, zones: list },
    ),
    capabilities: [
      { name: 'vCPUs', value: vcpus },
      { name: 'MemoryGB', value: memoryGB },
      { name: 'MaxDataDiskCount', value: '4' },
    ],
    restrictions: [],
  };
}

/**
 * Marketplace images by publisher, offer, SKU: their versions, oldest first. What `virtualMachineImages` serves, in
 * {@link FAKE_LOCATION} only.
 */
export const FAKE_IMAGES: Readonly<Record<string, Record<string, Record<string, string[]>>>> = {
  Canonical: {
    'ubuntu-24_04-lts': {
      server: ['24.04.202501010', '24.04.202502140'],
      'server-arm64': ['24.04.202502140'],
    },
    '0001-com-ubuntu-server-jammy': { '22_04-lts-gen2': ['22.04.202412040'] },
  },
  Debian: { 'debian-12': { '12-gen2': ['0.20250101.1971'] } },
  MicrosoftWindowsServer: {
    WindowsServer: { '2022-datacenter-azure-edition': ['20348.2966.241205'] },
  },
};

/** True when the catalog holds the image (`latest` matches any version of the SKU); names compare case-blind. */
export function hasFakeImage(publisher: string, offer: string, sku: string, version: string): boolean {
  const find = <T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined =>
    record === undefined
      ? undefined
      : Object.entries(record).find(([name]) => name.toLowerCase() === key.toLowerCase())?.[1];
  const versions = find(find(find(FAKE_IMAGES, publisher), offer), sku);
  if (versions === undefined) return false;
  return version.toLowerCase() === 'latest' || versions.includes(version);
}
