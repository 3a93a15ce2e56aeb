import {
  type CreateVmSpec,
  type Host,
  NovaCronError,
  type Resources,
  resourcesFit,
  subtractResources,
} from '@novacron/core';
import type { KvmFleet, KvmHost } from './kvm-fleet.js';
import type { KvmHostReports } from './kvm-host-report.js';

/** How long a host report may serve placement before it is read again. */
const PLACEMENT_SNAPSHOT_MS = 2_000;

/**
 * Picks the host of a new VM: `location.hostId` when given, otherwise the first host (in `location.zone`, if given)
 * that is up and has room.
 */
export class KvmPlacement {
  private readonly placementSnapshots = new Map<string, { at: number; report: Host }>();

  constructor(
    private readonly fleet: KvmFleet,
    private readonly reports: KvmHostReports,
  ) {}

  /** The host for `spec`, charged with `resources`; `NO_CAPACITY` when no candidate has room. */
  async place(spec: CreateVmSpec, resources: Resources, signal: AbortSignal): Promise<KvmHost> {
    const wantedHost = spec.location?.hostId;
    if (wantedHost !== undefined) return this.fleet.host(wantedHost, 'location.hostId');
    const zone = spec.location?.zone;
    const candidates = this.fleet.hosts.filter((host) => zone === undefined || host.options.zone === zone);
    // Until the scheduler does it: the first host that is up and fits. Host reports are reused for a moment and
    // charged locally with each placement, so a burst of creates does not list every host's domains each time.
    for (const host of candidates) {
      const cached = this.placementSnapshots.get(host.options.id);
      const report =
        cached !== undefined && Date.now() - cached.at < PLACEMENT_SNAPSHOT_MS
          ? cached.report
          : await this.reports.read(host, signal);
      this.placementSnapshots.set(host.options.id, {
        at: cached?.report === report ? cached.at : Date.now(),
        report,
      });
      if (
        report.state === 'up' &&
        resourcesFit(resources, subtractResources(report.allocatable, report.allocated))
      ) {
        report.allocated.vcpus += resources.vcpus;
        report.allocated.memoryMiB += resources.memoryMiB;
        return host;
      }
    }
    throw new NovaCronError({
      code: 'NO_CAPACITY',
      message: `No KVM host${zone === undefined ? '' : ` in zone ${zone}`} has room for VM ${spec.name} (${resources.vcpus} vCPUs, ${resources.memoryMiB} MiB). Free capacity, add a host or raise overcommit.`,
    });
  }
}
