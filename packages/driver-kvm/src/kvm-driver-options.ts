import type { MigrationPolicy, Resources } from '@novacron/core';
import { assertKnownOptions, type OptionKeys } from '@novacron/core/driver';
import type {
  LibvirtClient,
  LibvirtClientOptions,
  LibvirtSshOptions,
  LibvirtTlsOptions,
} from './libvirt/index.js';

/** One hypervisor host of the fleet: its own libvirtd. */
export interface KvmHostOptions {
  /** The host's id in NovaCron (`host-1`). */
  id: string;
  /** How this process reaches its libvirtd (`qemu+ssh://root@host1/system`, `qemu:///system`...). */
  uri: string;
  /** Labels for placement. Default none. */
  labels?: Record<string, string> | undefined;
  /** The host's zone (rack, failure domain). Default none. */
  zone?: string | undefined;
  /** Overcommit ratios (allocatable = capacity x ratio). Default 1 for every dimension. */
  overcommit?: Partial<Record<keyof Resources, number>> | undefined;
  /**
   * How OTHER hosts' daemons reach this one for peer-to-peer migration (the source daemon opens it).
   * Default: `uri` (right when every daemon can reach it the same way, e.g. `qemu+tls://host1/system`).
   */
  migrationUri?: string | undefined;
  /**
   * Where qemu on the source sends memory when migrating to this host (`tcp://10.0.0.2`, `unix:///path`).
   * Default: libvirt picks from this host's name.
   */
  migrationDataUri?: string | undefined;
  /** An already-made client for this host (tests, custom transports). Default: one made from `uri`. */
  client?: LibvirtClient | undefined;
}

/** A base image a VM's root disk can be made from (a qcow2 overlay is created on top of it). */
export interface KvmImageOptions {
  /** The storage pool holding the base volume and the overlays. */
  pool: string;
  /** The base volume's name in that pool. */
  volume: string;
  /** Root disk size of new VMs in GiB. Default: the VM's `diskGiB`, else 10. */
  defaultDiskGiB?: number | undefined;
  /** Operating system family (`linux`). */
  os?: string | undefined;
}

/** Options of {@link createKvmDriver}. */
export interface KvmDriverOptions {
  /** The hosts of the fleet (at least one). */
  hosts: KvmHostOptions[];
  /** Domain type of new VMs: `kvm` (hardware), `qemu` (TCG emulation) or `test` (libvirt's test driver). Default `kvm`. */
  domainType?: 'kvm' | 'qemu' | 'test' | undefined;
  /** The qemu binary written into new domains. Default `/usr/bin/qemu-system-x86_64` (none for `test`). */
  emulator?: string | undefined;
  /** Machine type of new domains. Default `pc`. */
  machine?: string | undefined;
  /** A libvirt network every new VM gets a virtio NIC on. Default: no NIC. */
  network?: string | undefined;
  /** Named sizes (`small: { vcpus: 1, memoryMiB: 1024 }`). Default none. */
  sizes?: Record<string, Resources> | undefined;
  /** Named base images. Default none (VMs are diskless unless an image is given). */
  images?: Record<string, KvmImageOptions> | undefined;
  /** Options of every host's libvirt client (keepalive, frame limit, TLS, SSH...). */
  client?: LibvirtClientOptions | undefined;
  /** Default migration policy, merged under each request's policy. Default: libvirt's defaults. */
  migrationPolicy?: MigrationPolicy | undefined;
  /** How often a running migration's job statistics are polled for progress. Default 500 ms. */
  migrationProgressIntervalMs?: number | undefined;
  /** A graceful stop that has not powered the guest off after this long becomes a forced one. Default 60,000 ms. */
  shutdownTimeoutMs?: number | undefined;
  /** Gap between the two readings a metric rate needs when there is no recent reading. Default 1,000 ms. */
  metricsSampleGapMs?: number | undefined;
}

const WHERE = 'createKvmDriver';
const OPTION_KEYS: OptionKeys<KvmDriverOptions> = {
  hosts: true,
  domainType: true,
  emulator: true,
  machine: true,
  network: true,
  sizes: true,
  images: true,
  client: true,
  migrationPolicy: true,
  migrationProgressIntervalMs: true,
  shutdownTimeoutMs: true,
  metricsSampleGapMs: true,
};
const HOST_KEYS: OptionKeys<KvmHostOptions> = {
  id: true,
  uri: true,
  labels: true,
  zone: true,
  overcommit: true,
  migrationUri: true,
  migrationDataUri: true,
  client: true,
};
const IMAGE_KEYS: OptionKeys<KvmImageOptions> = { pool: true, volume: true, defaultDiskGiB: true, os: true };
const RESOURCE_KEYS: OptionKeys<Resources> = { vcpus: true, memoryMiB: true, diskGiB: true, gpus: true };
const MIGRATION_POLICY_KEYS: OptionKeys<MigrationPolicy> = {
  bandwidthMiBps: true,
  maxDowntimeMs: true,
  completionTimeoutMs: true,
  onTimeout: true,
  autoConverge: true,
};
const CLIENT_KEYS: OptionKeys<LibvirtClientOptions> = {
  maxFrameSize: true,
  keepaliveIntervalMs: true,
  keepaliveCount: true,
  reconnectInitialDelayMs: true,
  reconnectMaxDelayMs: true,
  tls: true,
  ssh: true,
  connectTimeoutMs: true,
};
const TLS_KEYS: OptionKeys<LibvirtTlsOptions> = { ca: true, cert: true, key: true, verifyServer: true };
const SSH_KEYS: OptionKeys<LibvirtSshOptions> = { command: true, extraArgs: true };

/**
 * Refuses unknown keys (a typo must not be silently ignored) with a `TypeError` naming them and the accepted ones: in
 * the options, each host, each image, each size, `migrationPolicy` and `client` (with its `tls` and `ssh`). Free-form
 * maps (`labels`) and objects passed through (a host's `client`, a `LibvirtClient`) are not looked into.
 */
export function assertKvmDriverOptions(options: KvmDriverOptions): void {
  assertKnownOptions(WHERE, options, OPTION_KEYS);
  if (typeof options !== 'object' || options === null) return;
  if (Array.isArray(options.hosts)) {
    options.hosts.forEach((host, index) => {
      assertKnownOptions(WHERE, host, HOST_KEYS, `hosts[${index}]`);
      assertKnownOptions(WHERE, host?.overcommit, RESOURCE_KEYS, `hosts[${index}].overcommit`);
    });
  }
  for (const [name, image] of Object.entries(options.images ?? {})) {
    assertKnownOptions(WHERE, image, IMAGE_KEYS, `images.${name}`);
  }
  for (const [name, size] of Object.entries(options.sizes ?? {})) {
    assertKnownOptions(WHERE, size, RESOURCE_KEYS, `sizes.${name}`);
  }
  assertKnownOptions(WHERE, options.migrationPolicy, MIGRATION_POLICY_KEYS, 'migrationPolicy');
  assertKnownOptions(WHERE, options.client, CLIENT_KEYS, 'client');
  assertKnownOptions(WHERE, options.client?.tls, TLS_KEYS, 'client.tls');
  assertKnownOptions(WHERE, options.client?.ssh, SSH_KEYS, 'client.ssh');
}
