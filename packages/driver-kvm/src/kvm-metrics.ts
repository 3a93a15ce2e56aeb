import type { MetricName, MetricSeries, MetricsQuery } from '@novacron/core';
import { sleep } from '@novacron/core/driver';
import {
  type DomainRef,
  DomainStatsGroup,
  type LibvirtClient,
  type TypedParamValue,
  toNumber,
} from './libvirt/index.js';

type Counters = { atMs: number; values: Record<string, number> };
type Sample = { atMs: number; values: Partial<Record<MetricName, number>> };

/** How {@link KvmMetricsSampler} samples. */
export interface KvmMetricsSamplerOptions {
  /** When there is no recent earlier reading, wait this long between the two readings a rate needs. Default 1,000 ms. */
  sampleGapMs?: number | undefined;
  /** Samples kept per VM or host. Default 1,440. */
  historyLimit?: number | undefined;
}

function sumMatching(stats: Record<string, TypedParamValue>, pattern: RegExp): number {
  let total = 0;
  for (const [field, value] of Object.entries(stats)) {
    if (pattern.test(field)) total += toNumber(value) ?? 0;
  }
  return total;
}

function domainCounters(stats: Record<string, TypedParamValue>): Record<string, number> {
  const values: Record<string, number> = {
    cpuTimeNs: toNumber(stats['cpu.time']) ?? Number.NaN,
    vcpus: toNumber(stats['vcpu.current']) ?? toNumber(stats['vcpu.maximum']) ?? 1,
    diskRead: sumMatching(stats, /^block\.\d+\.rd\.bytes$/),
    diskWrite: sumMatching(stats, /^block\.\d+\.wr\.bytes$/),
    netRx: sumMatching(stats, /^net\.\d+\.rx\.bytes$/),
    netTx: sumMatching(stats, /^net\.\d+\.tx\.bytes$/),
  };
  const usedKiB = toNumber(stats['balloon.rss']) ?? toNumber(stats['balloon.current']);
  const maximumKiB = toNumber(stats['balloon.maximum']) ?? toNumber(stats['balloon.current']);
  if (usedKiB !== undefined) values.memoryUsedKiB = usedKiB;
  if (maximumKiB !== undefined) values.memoryMaximumKiB = maximumKiB;
  return values;
}

function domainSample(previous: Counters, current: Counters): Sample {
  const seconds = (current.atMs - previous.atMs) / 1000;
  const now = current.values;
  const before = previous.values;
  const rate = (key: string): number => Math.max(0, ((now[key] ?? 0) - (before[key] ?? 0)) / seconds);
  const values: Partial<Record<MetricName, number>> = {
    'disk.read.bytesPerSecond': rate('diskRead'),
    'disk.write.bytesPerSecond': rate('diskWrite'),
    'network.rx.bytesPerSecond': rate('netRx'),
    'network.tx.bytesPerSecond': rate('netTx'),
  };
  const cpuNow = now.cpuTimeNs ?? Number.NaN;
  const cpuBefore = before.cpuTimeNs ?? Number.NaN;
  if (Number.isFinite(cpuNow) && Number.isFinite(cpuBefore)) {
    const busy = (cpuNow - cpuBefore) / 1e9 / seconds / Math.max(1, now.vcpus ?? 1);
    values['cpu.utilization'] = Math.min(1, Math.max(0, busy));
  }
  if (now.memoryUsedKiB !== undefined) {
    values['memory.used.bytes'] = now.memoryUsedKiB * 1024;
    if (now.memoryMaximumKiB !== undefined && now.memoryMaximumKiB > 0) {
      values['memory.utilization'] = Math.min(1, now.memoryUsedKiB / now.memoryMaximumKiB);
    }
  }
  return { atMs: current.atMs, values };
}

async function hostCounters(client: LibvirtClient, signal: AbortSignal): Promise<Counters> {
  const [cpu, memory] = await Promise.all([
    client.nodeGetCpuStats(signal),
    client.nodeGetMemoryStats(signal),
  ]);
  const values: Record<string, number> = {};
  for (const [field, value] of Object.entries(cpu)) values[`cpu.${field}`] = Number(value);
  for (const [field, value] of Object.entries(memory)) values[`memory.${field}`] = Number(value);
  return { atMs: Date.now(), values };
}

function hostSample(previous: Counters, current: Counters): Sample {
  const now = current.values;
  const before = previous.values;
  const delta = (key: string): number => (now[key] ?? 0) - (before[key] ?? 0);
  const total = delta('cpu.kernel') + delta('cpu.user') + delta('cpu.idle') + delta('cpu.iowait');
  const values: Partial<Record<MetricName, number>> = {};
  if (total > 0) values['cpu.utilization'] = Math.min(1, Math.max(0, 1 - delta('cpu.idle') / total));
  const totalKiB = now['memory.total'];
  if (totalKiB !== undefined && totalKiB > 0) {
    const usedKiB =
      totalKiB - (now['memory.free'] ?? 0) - (now['memory.buffers'] ?? 0) - (now['memory.cached'] ?? 0);
    values['memory.used.bytes'] = usedKiB * 1024;
    values['memory.utilization'] = usedKiB / totalKiB;
  }
  return { atMs: current.atMs, values };
}

/**
 * Turns libvirt counters into metric samples. libvirt keeps no history, so the sampler keeps the samples it took
 * (one per read, rates between consecutive readings) and answers a query from them; a read whose window reaches
 * the present takes a fresh sample, stamped at the window's end when the window closed a moment ago.
 */
export class KvmMetricsSampler {
  private readonly counters = new Map<string, Counters>();
  private readonly history = new Map<string, Sample[]>();
  private readonly sampleGapMs: number;
  private readonly historyLimit: number;

  constructor(options: KvmMetricsSamplerOptions = {}) {
    this.sampleGapMs = options.sampleGapMs ?? 1_000;
    this.historyLimit = options.historyLimit ?? 1_440;
  }

  /** Reads metrics of one VM (all-domain stats of that domain). */
  async readVm(
    client: LibvirtClient,
    domain: DomainRef,
    key: string,
    query: MetricsQuery,
    signal: AbortSignal,
  ): Promise<MetricSeries[]> {
    const read = async (): Promise<Counters> => {
      // The groups metrics need; the vCPU count comes from domain info, cheaper than the per-vCPU group.
      const groups =
        DomainStatsGroup.CPU_TOTAL |
        DomainStatsGroup.BALLOON |
        DomainStatsGroup.INTERFACE |
        DomainStatsGroup.BLOCK;
      const [[record], info] = await Promise.all([
        client.getAllDomainStats([domain], groups, 0, signal),
        client.getDomainInfo(domain, signal),
      ]);
      return {
        atMs: Date.now(),
        values: domainCounters({ 'vcpu.current': info.vcpus, ...(record?.stats ?? {}) }),
      };
    };
    return this.read(`vm:${key}`, query, read, domainSample, signal);
  }

  /** Reads metrics of one host (node CPU and memory statistics). */
  async readHost(
    client: LibvirtClient,
    hostId: string,
    query: MetricsQuery,
    signal: AbortSignal,
  ): Promise<MetricSeries[]> {
    return this.read(`host:${hostId}`, query, () => hostCounters(client, signal), hostSample, signal);
  }

  /** Forgets a VM (after it was deleted). */
  forget(key: string): void {
    this.counters.delete(`vm:${key}`);
    this.history.delete(`vm:${key}`);
  }

  private async read(
    key: string,
    query: MetricsQuery,
    readCounters: () => Promise<Counters>,
    toSample: (previous: Counters, current: Counters) => Sample,
    signal: AbortSignal,
  ): Promise<MetricSeries[]> {
    const stepMs = query.stepMs ?? 60_000;
    const now = Date.now();
    if (now >= query.from.getTime() && now < query.to.getTime() + stepMs) {
      let previous = this.counters.get(key);
      if (previous === undefined || now - previous.atMs > stepMs * 10) {
        previous = await readCounters();
        await sleep(this.sampleGapMs, signal);
      }
      const current = await readCounters();
      this.counters.set(key, current);
      const sample = toSample(previous, current);
      sample.atMs = Math.min(sample.atMs, query.to.getTime() - 1);
      const samples = this.history.get(key) ?? [];
      samples.push(sample);
      if (samples.length > this.historyLimit) samples.splice(0, samples.length - this.historyLimit);
      this.history.set(key, samples);
    }
    const inWindow = (this.history.get(key) ?? []).filter(
      (sample) => sample.atMs >= query.from.getTime() && sample.atMs < query.to.getTime(),
    );
    return query.metrics.flatMap((metric) => {
      const points = inWindow.filter((sample) => sample.values[metric] !== undefined);
      if (points.length === 0) return [];
      return [
        {
          metric,
          timestampsMs: Float64Array.from(points, (sample) => sample.atMs),
          values: Float64Array.from(points, (sample) => sample.values[metric] as number),
        },
      ];
    });
  }
}
