import type { Image, Size } from '@novacron/core';

/** The one region of the simulated fleet; zones are the hosts' zones. */
export const SIM_REGION = 'sim-1';

/** The zones the default fleet spreads its hosts over. */
export const SIM_DEFAULT_ZONES = ['sim-1a', 'sim-1b'] as const;

/** The sim's size catalog (`size` in a create spec names one of these). Prices are illustrative. */
export const SIM_SIZES: readonly Size[] = Object.freeze([
  { name: 'sim.tiny', resources: { vcpus: 1, memoryMiB: 512, diskGiB: 10, gpus: 0 }, pricePerHour: 0.005 },
  { name: 'sim.small', resources: { vcpus: 1, memoryMiB: 1024, diskGiB: 20, gpus: 0 }, pricePerHour: 0.01 },
  { name: 'sim.medium', resources: { vcpus: 2, memoryMiB: 4096, diskGiB: 40, gpus: 0 }, pricePerHour: 0.04 },
  { name: 'sim.large', resources: { vcpus: 4, memoryMiB: 16384, diskGiB: 80, gpus: 0 }, pricePerHour: 0.16 },
  {
    name: 'sim.xlarge',
    resources: { vcpus: 8, memoryMiB: 32768, diskGiB: 160, gpus: 0 },
    pricePerHour: 0.32,
  },
  { name: 'sim.gpu', resources: { vcpus: 8, memoryMiB: 65536, diskGiB: 200, gpus: 1 }, pricePerHour: 1.2 },
]);

/** The sim's image catalog (`image` in a create spec must name one of these ids, when given). */
export const SIM_IMAGES: readonly Image[] = Object.freeze([
  { id: 'debian-12', name: 'Debian 12 (bookworm)', os: 'linux' },
  { id: 'debian-13', name: 'Debian 13 (trixie)', os: 'linux' },
  { id: 'ubuntu-22.04', name: 'Ubuntu 22.04 LTS', os: 'linux' },
  { id: 'ubuntu-24.04', name: 'Ubuntu 24.04 LTS', os: 'linux' },
  { id: 'alpine-3.20', name: 'Alpine Linux 3.20', os: 'linux' },
  { id: 'rocky-9', name: 'Rocky Linux 9', os: 'linux' },
  { id: 'windows-2022', name: 'Windows Server 2022', os: 'windows' },
]);
