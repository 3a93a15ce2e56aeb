import type { MigrationPolicy, Resources } from '@novacron/core';
import type { LibvirtClient, LibvirtClientOptions } from './libvirt/index.js';

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
