import type { FullResources, MetricName } from '@novacron/core';
import type { SimVmStatus } from './sim-cloud-types.js';
import { hashNormal, hashUnit } from './sim-hash.js';
import { SeededRandom } from './sim-random.js';

/** The metric names the sim generates (all of the core's). */
export const SIM_METRICS: readonly MetricName[] = [
  'cpu.utilization',
  'memory.used.bytes',
  'memory.utilization',
  'disk.read.bytesPerSecond',
  'disk.write.bytesPerSecond',
  'network.rx.bytesPerSecond',
  'network.tx.bytesPerSecond',
];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MIB = 1_048_576;
/** Memory the hypervisor itself uses on every host. */
const HOST_OVERHEAD_BYTES = 2048 * MIB;
/** CPU the hypervisor itself uses on every host. */
const HOST_OVERHEAD_CPU = 0.02;

/** The workload shape of one VM, drawn once from the seed and the VM id. */
interface WorkloadProfile {
  cpuBase: number;
  cpuAmplitude: number;
  cpuNoise: number;
  peakHourUtc: number;
  memoryBase: number;
  memoryAmplitude: number;
  anomalyRatePerHour: number;
  rateBases: Record<
    | 'disk.read.bytesPerSecond'
    | 'disk.write.bytesPerSecond'
    | 'network.rx.bytesPerSecond'
    | 'network.tx.bytesPerSecond',
    number
  >;
}

/** What the generator needs to know of a VM. */
export interface MetricsVm {
  id: string;
  resources: FullResources;
  status: SimVmStatus;
}

/**
 * Generates deterministic metric series. Every sample is a pure function of (seed, target id, metric, timestamp):
 * a daily cycle peaking at a per-VM hour (UTC) and damped at weekends, Gaussian noise, and occasional one-hour
 * anomalies (CPU spikes, traffic bursts). Host series are the sums of the series of the VMs the host runs now,
 * plus hypervisor overhead, so they follow placement changes.
 */
export class SimMetricsGenerator {
  readonly #seed: number;
  readonly #profiles = new Map<string, WorkloadProfile>();

  constructor(seed: number) {
    this.#seed = seed;
  }

  /** The sample times of a query: multiples of `stepMs` in [from, to). */
  timestamps(fromMs: number, toMs: number, stepMs: number): Float64Array {
    const first = Math.ceil(fromMs / stepMs) * stepMs;
    const count = Math.max(0, Math.ceil((toMs - first) / stepMs));
    const timestamps = new Float64Array(count);
    for (let index = 0; index < count; index += 1) timestamps[index] = first + index * stepMs;
    return timestamps;
  }

  /** One VM's series. */
  vmSeries(vm: MetricsVm, metric: MetricName, timestamps: Float64Array): Float64Array {
    const values = new Float64Array(timestamps.length);
    const profile = this.#profile(vm.id);
    for (let index = 0; index < timestamps.length; index += 1) {
      values[index] = this.#vmSample(vm, profile, metric, timestamps[index]!);
    }
    return values;
  }

  /** One host's series from the VMs it runs. A host that is down reports zeros. */
  hostSeries(
    host: { capacity: FullResources; state: string },
    vms: readonly MetricsVm[],
    metric: MetricName,
    timestamps: Float64Array,
  ): Float64Array {
    const values = new Float64Array(timestamps.length);
    if (host.state === 'down') return values;
    const active = vms.filter((vm) => GUEST_ALIVE.has(vm.status));
    const memoryCapacityBytes = host.capacity.memoryMiB * MIB;
    for (let index = 0; index < timestamps.length; index += 1) {
      const time = timestamps[index]!;
      let total = 0;
      if (metric === 'cpu.utilization') {
        for (const vm of active) {
          total += this.#vmSample(vm, this.#profile(vm.id), metric, time) * vm.resources.vcpus;
        }
        values[index] = Math.min(1, HOST_OVERHEAD_CPU + total / Math.max(1, host.capacity.vcpus));
      } else if (metric === 'memory.used.bytes' || metric === 'memory.utilization') {
        for (const vm of active) {
          total += this.#vmSample(vm, this.#profile(vm.id), 'memory.used.bytes', time);
        }
        const used = Math.min(memoryCapacityBytes, HOST_OVERHEAD_BYTES + total);
        values[index] = metric === 'memory.used.bytes' ? used : used / Math.max(1, memoryCapacityBytes);
      } else {
        for (const vm of active) total += this.#vmSample(vm, this.#profile(vm.id), metric, time);
        values[index] = total;
      }
    }
    return values;
  }

  #vmSample(vm: MetricsVm, profile: WorkloadProfile, metric: MetricName, time: number): number {
    const load = dailyLoad(time, profile.peakHourUtc);
    const id = vm.id;
    switch (metric) {
      case 'cpu.utilization': {
        if (vm.status === 'paused') return 0;
        const noise = profile.cpuNoise * hashNormal(this.#seed, id, 'cpu', time);
        return clamp01(
          profile.cpuBase + profile.cpuAmplitude * load + noise + this.#cpuAnomaly(id, profile, time),
        );
      }
      case 'memory.utilization':
      case 'memory.used.bytes': {
        const noise = 0.01 * hashNormal(this.#seed, id, 'memory', time);
        const utilization = clamp01(profile.memoryBase + profile.memoryAmplitude * load + noise);
        return metric === 'memory.utilization' ? utilization : utilization * vm.resources.memoryMiB * MIB;
      }
      default: {
        if (vm.status === 'paused') return 0;
        const noise = Math.exp(0.25 * hashNormal(this.#seed, id, metric, time));
        const burst = this.#anomalous(id, profile, time) ? 5 : 1;
        return profile.rateBases[metric] * (0.3 + 0.7 * load) * noise * burst;
      }
    }
  }

  #cpuAnomaly(id: string, profile: WorkloadProfile, time: number): number {
    if (!this.#anomalous(id, profile, time)) return 0;
    return 0.3 + 0.4 * hashUnit(this.#seed, id, 'anomaly-size', Math.floor(time / HOUR_MS));
  }

  /** Whether the hour containing `time` is an anomaly for this VM. */
  #anomalous(id: string, profile: WorkloadProfile, time: number): boolean {
    return hashUnit(this.#seed, id, 'anomaly', Math.floor(time / HOUR_MS)) < profile.anomalyRatePerHour;
  }

  #profile(id: string): WorkloadProfile {
    let profile = this.#profiles.get(id);
    if (profile === undefined) {
      const random = new SeededRandom(this.#seed, `metrics:${id}`);
      profile = {
        cpuBase: random.between(0.05, 0.35),
        cpuAmplitude: random.between(0.1, 0.4),
        cpuNoise: random.between(0.01, 0.03),
        peakHourUtc: random.between(8, 20),
        memoryBase: random.between(0.3, 0.7),
        memoryAmplitude: random.between(0.02, 0.1),
        anomalyRatePerHour: random.between(0.002, 0.02),
        rateBases: {
          'disk.read.bytesPerSecond': random.logBetween(0.5e6, 20e6),
          'disk.write.bytesPerSecond': random.logBetween(0.2e6, 10e6),
          'network.rx.bytesPerSecond': random.logBetween(0.1e6, 50e6),
          'network.tx.bytesPerSecond': random.logBetween(0.1e6, 30e6),
        },
      };
      this.#profiles.set(id, profile);
    }
    return profile;
  }
}

const GUEST_ALIVE: ReadonlySet<SimVmStatus> = new Set<SimVmStatus>([
  'running',
  'migrating',
  'paused',
  'booting',
]);

/** 0 at the trough, 1 at the daily peak; weekends (UTC Saturday, Sunday) at 60 %. */
function dailyLoad(time: number, peakHourUtc: number): number {
  const hour = (((time % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  const daily = 0.5 + 0.5 * Math.cos((2 * Math.PI * (hour - peakHourUtc)) / 24);
  const weekday = new Date(time).getUTCDay();
  return weekday === 0 || weekday === 6 ? 0.6 * daily : daily;
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
