import { NovaCronError } from '../errors/novacron-error.js';
import type {
  PlacementAssignment,
  PlacementDemand,
  PlacementFleet,
  PlacementFleetVm,
  PlacementObjective,
  PlacementPlan,
  PlacementStrategy,
} from '../model/placement.js';
import type { Resources } from '../model/resources.js';
import type { CreateVmSpec, Vm } from '../model/vm.js';
import { placementHosts } from '../placement/placement-fleet.js';
import { PLACEMENT_TAGS } from '../placement/placement-tags.js';
import type { Placer } from '../placement/placer.js';
import { planId } from '../placement/plan-id.js';
import { stalePlanError } from '../placement/stale-plan-error.js';
import type { StateStore } from '../store/state-store.js';
import type { CatalogApi } from './catalog-api.js';
import { holdLease } from './held-lease.js';
import type { OperationRunner } from './operation-runner.js';
import type { CreateFailureCause, CreateVmRequest, VmsApi } from './vms-api.js';

/** A VM to place: what `nc.vms.create` takes (without the provider), plus its placement constraints. */
export interface PlacementVmSpec extends CreateVmSpec {
  /** VMs of one anti-affinity group never share a host; written to the VM's tags when it is created. */
  antiAffinityGroup?: string | undefined;
  /** VMs of one affinity group share one host; written to the VM's tags when it is created. */
  affinityGroup?: string | undefined;
  /** Labels the host must have. */
  requiredLabels?: Record<string, string> | undefined;
  /** Labels the host should have (scored). */
  preferredLabels?: Record<string, string> | undefined;
}

/** What `nc.placement.plan` takes. */
export interface PlanPlacementRequest<ProviderName extends string = string> {
  /** The provider whose hosts to place on (capabilities `hosts` and `createOnHost`: sim, KVM). */
  provider: ProviderName;
  /** The VMs, in order; names must be unique (a name is the VM's key in the plan). */
  vms: PlacementVmSpec[];
  /** Batch objective: `pack` (default) or `spread`. */
  objective?: PlacementObjective | undefined;
  /** `auto` (default), `sequential` or `batch`. */
  strategy?: PlacementStrategy | undefined;
  /** Batch packer effort: `fast` (default) or `improve`. */
  effort?: 'fast' | 'improve' | undefined;
  /** Cancels reading the fleet. */
  signal?: AbortSignal | undefined;
}

/** Options of `nc.placement.apply`. */
export interface ApplyPlacementOptions {
  /** Creates in flight at once. Default 16. */
  concurrency?: number | undefined;
  /** Stops launching creates (those sent finish and are reported); also cancels the wait for the provider's lease. */
  signal?: AbortSignal | undefined;
  /** How long to wait while another process applies a plan on the same provider. Default 60,000 ms. */
  lockWaitMs?: number | undefined;
  /** Called after each create settles. */
  onProgress?: ((progress: { done: number; total: number; failed: number }) => void) | undefined;
}

/** One VM of an applied plan. */
export interface PlacedVm {
  /** The VM's key in the plan (its name). */
  key: string;
  /** The host the plan put it on. */
  hostId: string;
  /** The VM. */
  vm: Vm;
}

/** What `nc.placement.apply` reports: every assignment of the plan is in exactly one list. */
export interface PlacementApplyResult {
  /** The plan's id (its tag value on the VMs, the stem of their idempotency keys). */
  planId: string;
  /** VMs this call created. */
  created: PlacedVm[];
  /** VMs an earlier apply of the same plan had already created (found by their plan tag; not made again). */
  existing: PlacedVm[];
  /** Creates that failed; apply the same plan again to retry them (same idempotency keys: no duplicates). */
  failed: Array<{
    key: string;
    hostId: string;
    idempotencyKey: string;
    uncertain: boolean;
    cause: CreateFailureCause;
    error: NovaCronError;
  }>;
  /** Keys never sent because the signal aborted (or the provider's lease was lost) first. */
  cancelled: string[];
}

const APPLY_OPERATION = 'placement.apply';

/**
 * `nc.placement`: plans made by the configured {@link Placer} from the fleet as the provider reports it, and
 * applied with a re-check under the provider's placement lease, so that concurrent applies never over-commit a host.
 */
export class PlacementApi<ProviderName extends string = string> {
  constructor(
    private readonly placer: Placer | undefined,
    private readonly runner: OperationRunner,
    private readonly catalog: CatalogApi,
    private readonly vms: () => VmsApi<ProviderName>,
    private readonly store: StateStore,
  ) {}

  /**
   * Reads the provider's hosts and VMs, asks the placer, and returns the plan (data: print it with the
   * scheduler's `formatPlan`, store it as JSON, apply it later). Changes nothing.
   *
   * @example
   * const plan = await nc.placement.plan({ provider: 'sim', vms: [{ name: 'web-1', size: 'sim.medium' }] });
   * console.log(formatPlan(plan));
   */
  async plan(request: PlanPlacementRequest<ProviderName>): Promise<PlacementPlan> {
    const placer = this.requirePlacer('placement.plan');
    if (typeof request !== 'object' || request === null || !Array.isArray(request.vms))
      throw new TypeError('placement.plan needs { provider, vms: [...] }.');
    this.requireHosts(request.provider, 'placement.plan');
    const demands = await this.demands(request.provider, request.vms, request.signal);
    const hosts = await this.readFleet(request.provider, request.signal);
    const plan = placer.place({
      hosts: hosts.hosts,
      demands,
      ...(request.objective !== undefined ? { objective: request.objective } : {}),
      ...(request.strategy !== undefined ? { strategy: request.strategy } : {}),
      ...(request.effort !== undefined ? { effort: request.effort } : {}),
    });
    return { ...plan, provider: request.provider };
  }

  /**
   * Reads one provider's hosts (with the placement groups of the VMs on them) and every VM on them as a demand
   * (key: the VM's id; its resources; its groups from {@link PLACEMENT_TAGS}): what the scheduler's `planRebalance`,
   * `planDrain` and `planConsolidation` take. Changes nothing; needs no placer.
   *
   * @example
   * const plan = planRebalance(scheduler, { ...(await nc.placement.fleet({ provider: 'sim' })), threshold: 0.8 });
   * await nc.migrations.execute(plan);
   */
  async fleet(request: {
    provider: ProviderName;
    signal?: AbortSignal | undefined;
  }): Promise<PlacementFleet> {
    if (typeof request !== 'object' || request === null || typeof request.provider !== 'string')
      throw new TypeError("placement.fleet needs { provider: '<name>' }.");
    const provider = request.provider;
    const capabilities = this.runner.runtime(provider, 'placement.fleet').driver.capabilities;
    if (!capabilities.hosts)
      throw new NovaCronError({
        code: 'UNSUPPORTED',
        provider,
        operation: 'placement.fleet',
        message: `placement.fleet: provider '${provider}' does not report its hosts (capability hosts), so it has no fleet to read. Use a provider with hosts (sim, KVM).`,
      });
    const { hosts, vms } = await this.readFleet(provider, request.signal);
    const placed: PlacementFleetVm[] = vms.flatMap((vm) =>
      vm.location.hostId === undefined
        ? []
        : [{ ref: vm.ref, hostId: vm.location.hostId, demand: vmDemand(vm) }],
    );
    return { provider, hosts, vms: placed };
  }

  /**
   * Creates the plan's VMs on their hosts. Under the provider's placement lease (`placement/<provider>` in the
   * state store: one apply per provider at a time, across processes sharing the store) it reads the fleet again
   * and re-checks the plan with the placer; a plan that no longer fits is refused with a `CONFLICT` naming the
   * hosts that changed, before anything is created. Idempotency keys and a plan tag derive from the plan, so
   * applying the same plan again creates only what is missing.
   *
   * @example
   * const result = await nc.placement.apply(plan);
   * console.log(result.created.map(({ key, hostId }) => `${key} on ${hostId}`));
   */
  async apply(plan: PlacementPlan, options: ApplyPlacementOptions = {}): Promise<PlacementApplyResult> {
    const placer = this.requirePlacer(APPLY_OPERATION);
    const provider = checkPlan(plan);
    this.requireHosts(provider, APPLY_OPERATION);
    const id = planId(plan);
    const lease = await holdLease(this.store, `placement/${provider}`, {
      waitMs: options.lockWaitMs ?? 60_000,
      what: APPLY_OPERATION,
      hint: 'Another apply on this provider is taking long; try again later, or raise lockWaitMs.',
      signal: options.signal,
    });
    try {
      const { hosts, vms } = await this.readFleet(provider, options.signal);
      const made = new Map(
        vms.filter((vm) => vm.tags[PLACEMENT_TAGS.plan] === id).map((vm) => [vm.name, vm] as const),
      );
      const existing: PlacedVm[] = [];
      const remaining: PlacementAssignment[] = [];
      for (const assignment of plan.assignments) {
        const vm = made.get(assignment.demand.key);
        if (vm === undefined) remaining.push(assignment);
        else existing.push({ key: assignment.demand.key, hostId: assignment.hostId, vm });
      }
      const check = placer.verify({ ...plan, assignments: remaining }, hosts);
      if (!check.ok) throw stalePlanError(provider, id, check);
      const stop = AbortSignal.any([lease.lost, ...(options.signal ? [options.signal] : [])]);
      const requests = remaining.map(({ demand, hostId }) => createRequest(provider, id, demand, hostId));
      const outcome = await this.vms().createMany(requests as Array<CreateVmRequest<ProviderName>>, {
        concurrency: options.concurrency ?? 16,
        signal: stop,
        onProgress: options.onProgress,
      });
      return {
        planId: id,
        created: outcome.created.map(({ index, vm }) => placed(remaining[index]!, vm)),
        existing,
        failed: outcome.failed.map(({ index, idempotencyKey, uncertain, cause, error }) => ({
          key: remaining[index]!.demand.key,
          hostId: remaining[index]!.hostId,
          idempotencyKey,
          uncertain,
          cause,
          error,
        })),
        cancelled: outcome.cancelled.map((index) => remaining[index]!.demand.key),
      };
    } finally {
      await lease.release();
    }
  }

  /** The configured placer, or the error that says how to configure one. */
  private requirePlacer(operation: string): Placer {
    if (this.placer !== undefined) return this.placer;
    throw new NovaCronError({
      code: 'UNSUPPORTED',
      operation,
      message: `${operation} needs a placer, and this client has none. Create the client with one: createNovaCron({ providers, placement: createScheduler() }) (createScheduler is in @novacron/scheduler).`,
    });
  }

  /** Refuses a provider without hosts it can create on. */
  private requireHosts(provider: string, operation: string): void {
    const capabilities = this.runner.runtime(provider, operation).driver.capabilities;
    if (capabilities.hosts && capabilities.createOnHost) return;
    throw new NovaCronError({
      code: 'UNSUPPORTED',
      provider,
      operation,
      message: `${operation}: provider '${provider}' does not ${capabilities.hosts ? 'create VMs on a chosen host' : 'report its hosts'} (capabilities hosts and createOnHost), so NovaCron cannot place on it. Use a provider with hosts (sim, KVM), or create without placement and let the provider choose.`,
    });
  }

  /** The provider's hosts with the groups of their VMs, and the VMs. */
  private async readFleet(provider: string, signal: AbortSignal | undefined) {
    const [hosts, vms] = await Promise.all([
      this.catalog.hosts({ provider, signal }).toArray(),
      this.vms()
        .list({ provider: provider as ProviderName, signal })
        .toArray(),
    ]);
    return { hosts: placementHosts(hosts, vms), vms };
  }

  /** One demand per VM spec: resources (from the size when not given), constraints, and the spec to create. */
  private async demands(
    provider: string,
    specs: PlacementVmSpec[],
    signal: AbortSignal | undefined,
  ): Promise<PlacementDemand[]> {
    const sizes = specs.some((spec) => spec?.resources === undefined)
      ? new Map(
          (await this.catalog.sizes({ provider, signal }).toArray()).map((size) => [
            size.name,
            size.resources,
          ]),
        )
      : new Map<string, Resources>();
    const names = new Set<string>();
    return specs.map((spec, index) => {
      const where = `vms[${index}]`;
      if (typeof spec !== 'object' || spec === null || typeof spec.name !== 'string')
        throw invalid(where, `${where} must be a VM spec with a name.`);
      if (names.has(spec.name))
        throw invalid(
          `${where}.name`,
          `${where}.name '${spec.name}' appears twice; a plan needs unique names.`,
        );
      names.add(spec.name);
      if (spec.location?.hostId !== undefined)
        throw invalid(
          `${where}.location.hostId`,
          `${where}.location.hostId is set; leave it out, the plan chooses the host (or create that VM with nc.vms.create).`,
        );
      const resources = spec.resources ?? (spec.size !== undefined ? sizes.get(spec.size) : undefined);
      if (resources === undefined)
        throw invalid(
          spec.size === undefined ? `${where}.resources` : `${where}.size`,
          spec.size === undefined
            ? `${where} needs resources or a size to be placed.`
            : `${where}.size '${spec.size}' is not a size of provider '${provider}'; use one of ${[...sizes.keys()].join(', ')}, or give resources.`,
        );
      return toDemand(spec, resources);
    });
  }
}

/** The demand of one VM spec, its groups read from the spec or its tags and written to the spec's tags. */
function toDemand(spec: PlacementVmSpec, resources: Resources): PlacementDemand {
  const { antiAffinityGroup, affinityGroup, requiredLabels, preferredLabels, ...vm } = spec;
  const antiAffinity = antiAffinityGroup ?? vm.tags?.[PLACEMENT_TAGS.antiAffinityGroup];
  const affinity = affinityGroup ?? vm.tags?.[PLACEMENT_TAGS.affinityGroup];
  const tags = {
    ...vm.tags,
    ...(antiAffinity !== undefined ? { [PLACEMENT_TAGS.antiAffinityGroup]: antiAffinity } : {}),
    ...(affinity !== undefined ? { [PLACEMENT_TAGS.affinityGroup]: affinity } : {}),
  };
  return {
    key: vm.name,
    resources,
    ...(antiAffinity !== undefined ? { antiAffinityGroup: antiAffinity } : {}),
    ...(affinity !== undefined ? { affinityGroup: affinity } : {}),
    ...(vm.location?.zone !== undefined ? { zone: vm.location.zone } : {}),
    ...(requiredLabels !== undefined ? { requiredLabels } : {}),
    ...(preferredLabels !== undefined ? { preferredLabels } : {}),
    vm: { ...vm, ...(Object.keys(tags).length > 0 ? { tags } : {}) },
  };
}

/** A running VM as a demand: keyed by its id, with its resources and the groups its placement tags carry. */
function vmDemand(vm: Vm): PlacementDemand {
  const antiAffinity = vm.tags[PLACEMENT_TAGS.antiAffinityGroup];
  const affinity = vm.tags[PLACEMENT_TAGS.affinityGroup];
  return {
    key: vm.ref.id,
    resources: vm.resources,
    ...(antiAffinity !== undefined ? { antiAffinityGroup: antiAffinity } : {}),
    ...(affinity !== undefined ? { affinityGroup: affinity } : {}),
    ...(vm.location.zone !== undefined ? { zone: vm.location.zone } : {}),
  };
}

/** The create request of one assignment: its spec on its host, tagged with the plan, keyed by plan and VM. */
function createRequest(
  provider: string,
  id: string,
  demand: PlacementDemand,
  hostId: string,
): CreateVmRequest {
  const vm = demand.vm!;
  return {
    ...vm,
    provider,
    location: { ...vm.location, hostId },
    tags: { ...vm.tags, [PLACEMENT_TAGS.plan]: id },
    idempotencyKey: `placement-${id}-${demand.key}`,
  };
}

function placed(assignment: PlacementAssignment, vm: Vm): PlacedVm {
  return { key: assignment.demand.key, hostId: assignment.hostId, vm };
}

/** The provider of a plan the client can apply; an `INVALID_ARGUMENT` naming what is missing otherwise. */
function checkPlan(plan: PlacementPlan): string {
  if (plan?.format !== 1 || !Array.isArray(plan.assignments) || !Array.isArray(plan.snapshot))
    throw invalid(
      'plan',
      'placement.apply: plan is not a placement plan (format 1); pass what nc.placement.plan returned, or its JSON parsed.',
    );
  if (typeof plan.provider !== 'string')
    throw invalid(
      'plan.provider',
      'placement.apply: the plan names no provider; apply plans made by nc.placement.plan (a scheduler.place plan has no VMs to create).',
    );
  plan.assignments.forEach((assignment, index) => {
    if (typeof assignment?.demand?.vm?.name !== 'string')
      throw invalid(
        `plan.assignments[${index}].demand.vm`,
        `placement.apply: plan.assignments[${index}] has no VM spec to create; apply plans made by nc.placement.plan.`,
      );
  });
  return plan.provider;
}

function invalid(field: string, message: string): NovaCronError {
  return new NovaCronError({ code: 'INVALID_ARGUMENT', field, operation: 'placement', message });
}
