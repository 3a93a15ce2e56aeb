import {
  type DriverMigrateContext,
  type DriverMigrateRequest,
  type MigrationOutcome,
  NovaCronError,
  resourcesFit,
  subtractResources,
} from '@novacron/core';
import { type KvmDomainDescription, parseDomainXml } from './kvm-domain-xml.js';
import type { KvmDriverOptions } from './kvm-driver-options.js';
import { toKvmError } from './kvm-error-map.js';
import type { KvmFleet } from './kvm-fleet.js';
import type { KvmHostReports } from './kvm-host-report.js';
import { runLiveMigration } from './kvm-migration.js';
import { mapDomainState } from './kvm-state-map.js';
import { DomainState } from './libvirt/index.js';

/** What blocks a live migration of one VM to one host, from {@link KvmDriver.checkMigration}. */
export interface KvmMigrationCheck {
  /** True when nothing blocks it. */
  migratable: boolean;
  /** One sentence per blocker ("disk vda (/var/lib/...) is local to host-1"). */
  blockers: string[];
}

/**
 * What in a domain's devices blocks a live migration, one sentence each: host devices (`<hostdev>`) and NICs passed
 * through (`<interface type='hostdev'>`, named by MAC), NVMe disks (a host controller), storage-pool volumes (resolved
 * in the source host's pool) and file, block or directory disks local to the source (unless `<shareable/>`). Network
 * disks (rbd, iscsi, nbd, gluster...) and cdroms do not block.
 */
export function deviceMigrationBlockers(
  description: KvmDomainDescription,
  vmId: string,
  hostId: string,
): string[] {
  const blockers: string[] = [];
  for (const device of description.hostDevices) {
    blockers.push(
      `VM ${vmId} has a ${device.type || device.mode} host device passed through, which cannot move live.`,
    );
  }
  for (const nic of description.interfaces.filter((entry) => entry.type === 'hostdev')) {
    blockers.push(
      `NIC ${nic.mac ?? '(no MAC)'} of VM ${vmId} is a host device passed through (${nic.source ?? 'PCI'}), which cannot move live.`,
    );
  }
  for (const disk of description.disks) {
    if (disk.device === 'cdrom' || disk.source === undefined) continue;
    if (disk.type === 'nvme') {
      blockers.push(
        `Disk ${disk.target} of VM ${vmId} is an NVMe controller of host '${hostId}' (${disk.source}), which cannot move live.`,
      );
    } else if (disk.type === 'volume') {
      blockers.push(
        `Disk ${disk.target} of VM ${vmId} is the storage ${disk.source} of host '${hostId}': libvirt resolves pool volumes on the source only; use a network disk or shared storage.`,
      );
    } else if (['file', 'block', 'dir'].includes(disk.type) && !disk.shareable) {
      blockers.push(
        `Disk ${disk.target} (${disk.source}) of VM ${vmId} is local to host '${hostId}': put it on shared storage first.`,
      );
    }
  }
  return blockers;
}

/**
 * Says what blocks a live migration of a VM to a host of the fleet: a guest that is not running, host devices
 * passed through, disks that are local to the source, a name taken on the destination, too little room there.
 */
export async function checkMigration(
  fleet: KvmFleet,
  reports: KvmHostReports,
  vmId: string,
  toHostId: string,
  signal: AbortSignal,
): Promise<KvmMigrationCheck> {
  const { host, domain } = await fleet.locate(vmId, signal);
  const destination = fleet.host(toHostId, 'toHostId');
  const blockers: string[] = [];
  try {
    const [state, xml] = await Promise.all([
      host.client.getDomainState(domain, signal),
      host.client.getDomainXml(domain, 0, signal),
    ]);
    let description: KvmDomainDescription | undefined;
    try {
      description = parseDomainXml(xml);
    } catch (error) {
      if (!NovaCronError.isInstance(error)) throw error;
      blockers.push(
        `VM ${vmId}'s domain XML cannot be read, so NovaCron cannot tell what it holds: ${error.message}`,
      );
    }
    if (state.state !== DomainState.RUNNING && state.state !== DomainState.PAUSED) {
      blockers.push(
        `VM ${vmId} is ${mapDomainState(state.state, state.reason).providerState}: live migration needs a running or paused guest.`,
      );
    }
    if (description !== undefined) {
      blockers.push(...deviceMigrationBlockers(description, vmId, host.options.id));
    }
    if (destination !== host) {
      const taken = await destination.client.lookupDomainByName(vmId, signal).then(
        () => true,
        () => false,
      );
      if (taken) blockers.push(`Host '${toHostId}' already has a domain named ${vmId}.`);
      const report = await reports.read(destination, signal);
      if (report.state !== 'up') blockers.push(`Host '${toHostId}' is not reachable.`);
      else if (
        // The maximums: the guest may hot-plug vCPUs or deflate its balloon up to them without NovaCron.
        description !== undefined &&
        !resourcesFit(
          { vcpus: description.maxVcpus, memoryMiB: description.maxMemoryMiB },
          subtractResources(report.allocatable, report.allocated),
        )
      ) {
        blockers.push(
          `Host '${toHostId}' has no room for VM ${vmId} (up to ${description.maxVcpus} vCPUs, ${description.maxMemoryMiB} MiB).`,
        );
      }
    }
  } catch (error) {
    throw toKvmError(error, { action: `check the migration of VM ${vmId}`, hostId: host.options.id }, signal);
  }
  return { migratable: blockers.length === 0, blockers };
}

/** What {@link migrateVm} works with. */
export interface KvmFleetMigrationDeps {
  /** The fleet: hosts, where the VM lives, which VMs are migrating. */
  fleet: KvmFleet;
  /** The driver's options (default migration policy, progress interval). */
  options: KvmDriverOptions;
  /** The check run before the move (the driver's own `checkMigration`). */
  check(vmId: string, toHostId: string, signal: AbortSignal): Promise<KvmMigrationCheck>;
}

/**
 * Live-migrates a VM to another host of the fleet: refuses cold moves (`UNSUPPORTED`) and blocked ones
 * (`CONFLICT`, with the check's blockers), marks the VM migrating while {@link runLiveMigration} moves it, then
 * remembers its new host. A VM already on the destination is left alone.
 */
export async function migrateVm(
  deps: KvmFleetMigrationDeps,
  request: DriverMigrateRequest,
  context: DriverMigrateContext,
): Promise<MigrationOutcome> {
  const { fleet, options } = deps;
  if (request.mode !== 'live') {
    throw new NovaCronError({
      code: 'UNSUPPORTED',
      message: `The kvm driver moves VMs between its hosts live only; cold moves across providers are the core's migration saga.`,
    });
  }
  const destination = fleet.host(request.toHostId, 'toHostId');
  const { host: source, domain } = await fleet.locate(request.vmId, context.signal);
  if (source === destination) return { hostId: destination.options.id };
  const check = await deps.check(request.vmId, request.toHostId, context.signal);
  if (!check.migratable) {
    throw new NovaCronError({
      code: 'CONFLICT',
      message: `VM ${request.vmId} cannot live-migrate to host '${request.toHostId}': ${check.blockers.join(' ')}`,
    });
  }
  fleet.migrating.add(request.vmId);
  try {
    const outcome = await runLiveMigration({
      domain,
      source: {
        hostId: source.options.id,
        client: source.client,
        migrationUri: source.options.migrationUri ?? source.options.uri,
      },
      destination: {
        hostId: destination.options.id,
        client: destination.client,
        migrationUri: destination.options.migrationUri ?? destination.options.uri,
        migrationDataUri: destination.options.migrationDataUri,
      },
      policy: { ...(options.migrationPolicy ?? {}), ...request.policy },
      progressIntervalMs: options.migrationProgressIntervalMs ?? 500,
      signal: context.signal,
      onProgress: (progress) => context.onProgress(progress),
    });
    fleet.remember(request.vmId, destination.options.id);
    return outcome;
  } finally {
    fleet.migrating.delete(request.vmId);
  }
}
