import type { MetricName } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import { callContext, createContext, expectCode, migrateContext } from '../test/context.js';
import { createSimDriver } from './sim-driver.js';

const DAY_MS = 86_400_000;
/** Monday 2026-11-16 00:00 UTC. */
const MONDAY = Date.UTC(2026, 10, 16);

async function fleet(seed = 1, count = 1) {
  const driver = createSimDriver({ seed, transitionDelayMs: 0 });
  const vms = [];
  for (let index = 0; index < count; index += 1) {
    vms.push(
      await driver.doCreateVm({ name: `app-${index}`, size: 'sim.medium' }, createContext(`app-${index}`)),
    );
  }
  return { driver, vms };
}

function read(
  driver: ReturnType<typeof createSimDriver>,
  target: { vmId: string } | { hostId: string },
  metrics: MetricName[],
  fromMs: number,
  toMs: number,
  stepMs?: number,
) {
  return driver.doReadMetrics(
    {
      target,
      metrics,
      from: new Date(fromMs),
      to: new Date(toMs),
      ...(stepMs === undefined ? {} : { stepMs }),
    },
    callContext(),
  );
}

describe('metrics', () => {
  it('gives the same numbers for the same query, and for the same timestamps in another window', async () => {
    const { driver, vms } = await fleet();
    const vmId = vms[0]!.id;
    const [first] = await read(driver, { vmId }, ['cpu.utilization'], MONDAY, MONDAY + DAY_MS);
    const [again] = await read(driver, { vmId }, ['cpu.utilization'], MONDAY, MONDAY + DAY_MS);
    expect(first!.values).toBeInstanceOf(Float64Array);
    expect(first!.timestampsMs).toBeInstanceOf(Float64Array);
    expect(first!.values).toHaveLength(1440);
    expect(again).toEqual(first);
    const [shifted] = await read(
      driver,
      { vmId },
      ['cpu.utilization'],
      MONDAY + 3_600_000 - 17,
      MONDAY + 7_200_000,
      300_000,
    );
    expect(shifted!.timestampsMs[0]).toBe(MONDAY + 3_600_000);
    expect(shifted!.values[0]).toBe(first!.values[60]);
    expect(shifted!.values[1]).toBe(first!.values[65]);
    const { driver: other, vms: otherVms } = await fleet(2);
    const [differentSeed] = await read(
      other,
      { vmId: otherVms[0]!.id },
      ['cpu.utilization'],
      MONDAY,
      MONDAY + DAY_MS,
    );
    expect(differentSeed!.values).not.toEqual(first!.values);
  });

  it('samples multiples of stepMs within [from, to), utilisations within [0, 1], every metric present', async () => {
    const { driver, vms } = await fleet();
    const all: MetricName[] = [
      'cpu.utilization',
      'memory.used.bytes',
      'memory.utilization',
      'disk.read.bytesPerSecond',
      'disk.write.bytesPerSecond',
      'network.rx.bytesPerSecond',
      'network.tx.bytesPerSecond',
    ];
    const series = await read(driver, { vmId: vms[0]!.id }, all, MONDAY + 1, MONDAY + 10 * 60_000 + 1);
    expect(series.map((entry) => entry.metric)).toEqual(all);
    for (const entry of series) {
      expect(Array.from(entry.timestampsMs)).toEqual(
        Array.from({ length: 10 }, (_, index) => MONDAY + (index + 1) * 60_000),
      );
      for (const value of entry.values) expect(Number.isFinite(value) && value >= 0).toBe(true);
    }
    for (const value of series[0]!.values) expect(value).toBeLessThanOrEqual(1);
    for (const value of series[2]!.values) expect(value).toBeLessThanOrEqual(1);
    const memoryBytes = 4096 * 1_048_576;
    expect(series[1]!.values[0]).toBeCloseTo(series[2]!.values[0]! * memoryBytes, 0);
  });

  it('follows a daily cycle: a 24-hour sinusoid dominates the weekday profile, damped at weekends', async () => {
    const { driver, vms } = await fleet(9, 6);
    for (const vm of vms) {
      const [series] = await read(
        driver,
        { vmId: vm.id },
        ['cpu.utilization'],
        MONDAY,
        MONDAY + 7 * DAY_MS,
        300_000,
      );
      const hourly = (day: number) =>
        Array.from({ length: 24 }, (_, hour) => {
          const start = day * 288 + hour * 12;
          return median(Array.from(series!.values.slice(start, start + 12)));
        });
      const weekdays = [0, 1, 2, 3, 4].map(hourly);
      // The median over five weekdays per hour removes one-day anomalies.
      const profile = Array.from({ length: 24 }, (_, hour) => median(weekdays.map((day) => day[hour]!)));
      expect(Math.max(...profile) - Math.min(...profile)).toBeGreaterThan(0.08);
      expect(dailyHarmonicShare(profile)).toBeGreaterThan(0.8);
      // Anomalies only raise values, so the lower of Saturday and Sunday per hour removes a one-day anomaly.
      const saturday = hourly(5);
      const sunday = hourly(6);
      const weekend = saturday.map((value, hour) => Math.min(value, sunday[hour]!));
      expect(dailyAmplitude(weekend)).toBeLessThan(0.8 * dailyAmplitude(profile));
    }
  });

  it('has occasional one-hour anomalies well above the usual level for that hour', async () => {
    const { driver, vms } = await fleet(4, 10);
    let anomalies = 0;
    let hours = 0;
    for (const vm of vms) {
      const [series] = await read(
        driver,
        { vmId: vm.id },
        ['cpu.utilization'],
        MONDAY,
        MONDAY + 5 * DAY_MS,
        3_600_000,
      );
      const values = Array.from(series!.values);
      for (let index = 0; index < values.length; index += 1) {
        const sameHour = values.filter((_, other) => other % 24 === index % 24);
        hours += 1;
        if (values[index]! > median(sameHour) + 0.25) anomalies += 1;
      }
    }
    expect(anomalies).toBeGreaterThan(0);
    expect(anomalies / hours).toBeLessThan(0.05);
  });

  it('sums a host from the VMs it runs, so moving a VM moves its load', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    const vm = await driver.doCreateVm(
      { name: 'busy', size: 'sim.xlarge', location: { hostId: 'host-1' } },
      createContext('busy'),
    );
    const window = [MONDAY + 12 * 3_600_000, MONDAY + 13 * 3_600_000] as const;
    const before1 = await read(
      driver,
      { hostId: 'host-1' },
      ['cpu.utilization', 'memory.used.bytes'],
      ...window,
    );
    const before3 = await read(
      driver,
      { hostId: 'host-3' },
      ['cpu.utilization', 'memory.used.bytes'],
      ...window,
    );
    expect(mean(before3[0]!.values)).toBeCloseTo(0.02, 10);
    expect(before3[1]!.values[0]).toBe(2048 * 1_048_576);
    expect(mean(before1[0]!.values)).toBeGreaterThan(0.02);
    await driver.doMigrateVm(
      { vmId: vm.id, toHostId: 'host-3', mode: 'live', policy: {} },
      migrateContext([]),
    );
    const after1 = await read(driver, { hostId: 'host-1' }, ['cpu.utilization'], ...window);
    const after3 = await read(
      driver,
      { hostId: 'host-3' },
      ['cpu.utilization', 'memory.used.bytes'],
      ...window,
    );
    expect(after3[0]!.values).toEqual(before1[0]!.values);
    expect(after3[1]!.values).toEqual(before1[1]!.values);
    expect(mean(after1[0]!.values)).toBeCloseTo(0.02, 10);
    driver.sim.setHostState('host-3', 'down');
    const down = await read(driver, { hostId: 'host-3' }, ['cpu.utilization'], ...window);
    expect(Array.from(down[0]!.values).every((value) => value === 0)).toBe(true);
  });

  it('refuses bad queries naming the field, and unknown targets with NOT_FOUND', async () => {
    const { driver, vms } = await fleet();
    const vmId = vms[0]!.id;
    expect(
      (await expectCode(read(driver, { vmId }, ['cpu.utilization'], MONDAY, MONDAY), 'INVALID_ARGUMENT'))
        .field,
    ).toBe('to');
    expect(
      (
        await expectCode(
          read(driver, { vmId }, ['cpu.utilization'], MONDAY, MONDAY + DAY_MS, 0),
          'INVALID_ARGUMENT',
        )
      ).field,
    ).toBe('stepMs');
    expect(
      (
        await expectCode(
          read(driver, { vmId }, ['cpu.utilization'], MONDAY, MONDAY + 365 * DAY_MS, 1000),
          'INVALID_ARGUMENT',
        )
      ).field,
    ).toBe('stepMs');
    expect(
      (
        await expectCode(
          read(driver, { vmId }, ['gpu.temperature' as MetricName], MONDAY, MONDAY + DAY_MS),
          'INVALID_ARGUMENT',
        )
      ).field,
    ).toBe('metrics');
    await expectCode(
      read(driver, { vmId: 'vm-ffffffff' }, ['cpu.utilization'], MONDAY, MONDAY + DAY_MS),
      'NOT_FOUND',
    );
    await expectCode(
      read(driver, { hostId: 'host-42' }, ['cpu.utilization'], MONDAY, MONDAY + DAY_MS),
      'NOT_FOUND',
    );
  });
});

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function mean(values: ArrayLike<number>): number {
  let total = 0;
  for (let index = 0; index < values.length; index += 1) total += values[index]!;
  return total / values.length;
}

/** The amplitude of a 24-point profile's one-cycle-per-day Fourier component. */
function dailyAmplitude(profile: number[]): number {
  let cosine = 0;
  let sine = 0;
  for (let hour = 0; hour < 24; hour += 1) {
    cosine += profile[hour]! * Math.cos((2 * Math.PI * hour) / 24);
    sine += profile[hour]! * Math.sin((2 * Math.PI * hour) / 24);
  }
  return (2 * Math.hypot(cosine, sine)) / 24;
}

/** The share of a 24-point profile's variance carried by its one-cycle-per-day Fourier component. */
function dailyHarmonicShare(profile: number[]): number {
  const average = mean(profile);
  let cosine = 0;
  let sine = 0;
  let variance = 0;
  for (let hour = 0; hour < 24; hour += 1) {
    const centred = profile[hour]! - average;
    cosine += centred * Math.cos((2 * Math.PI * hour) / 24);
    sine += centred * Math.sin((2 * Math.PI * hour) / 24);
    variance += centred * centred;
  }
  return (2 * (cosine * cosine + sine * sine)) / 24 / variance;
}
