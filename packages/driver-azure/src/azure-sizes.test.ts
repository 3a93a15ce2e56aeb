import { describe, expect, it } from 'vitest';
import { toAzureSizes } from './azure-sizes.js';

describe('toAzureSizes', () => {
  it('reads string capabilities, skips other resource types, flags restrictions and adds prices', () => {
    const sizes = toAzureSizes(
      [
        {
          resourceType: 'virtualMachines',
          name: 'Standard_D2s_v5',
          locations: ['westeurope'],
          capabilities: [
            { name: 'vCPUs', value: '2' },
            { name: 'MemoryGB', value: '8' },
          ],
          restrictions: [],
        },
        {
          resourceType: 'virtualMachines',
          name: 'Standard_B1ls',
          locations: ['westeurope'],
          capabilities: [
            { name: 'vCPUs', value: '1' },
            { name: 'MemoryGB', value: '0.5' },
          ],
          restrictions: [
            {
              type: 'Location',
              values: ['westeurope'],
              restrictionInfo: { locations: ['westeurope'] },
              reasonCode: 'NotAvailableForSubscription',
            },
          ],
        },
        { resourceType: 'disks', name: 'Premium_LRS', capabilities: [{ name: 'MaxSizeGiB', value: '4095' }] },
      ],
      { Standard_D2s_v5: 0.096 },
    );
    expect(sizes).toEqual([
      {
        name: 'Standard_B1ls',
        resources: { vcpus: 1, memoryMiB: 512 },
        locations: ['westeurope'],
        restricted: true,
        restrictedIn: ['westeurope: NotAvailableForSubscription'],
      },
      {
        name: 'Standard_D2s_v5',
        resources: { vcpus: 2, memoryMiB: 8192 },
        locations: ['westeurope'],
        restricted: false,
        restrictedIn: [],
        pricePerHour: 0.096,
      },
    ]);
  });
});
