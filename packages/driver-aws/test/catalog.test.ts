import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { Image, Location, Page, PageRequest } from '@novacron/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { AwsSize } from '../src/index.js';
import {
  callContext,
  createContext,
  MOTO_CREDENTIALS,
  MOTO_IMAGE,
  motoDriver,
  motoUrl,
  skipWithoutMoto,
} from './support/moto.js';

async function collect<T>(read: (request: PageRequest) => Promise<Page<T>>, pageSize: number): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read({ pageSize, ...(cursor === undefined ? {} : { cursor }) });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return items;
}

describe.skipIf(skipWithoutMoto)('aws driver catalog and metrics against moto', () => {
  const driver = motoDriver({
    priceTable: { 't3.micro': 0.0104, 'm5.large': 0.096 },
    images: { owners: ['amazon'], namePatterns: ['*ubuntu*'] },
  });
  afterAll(() => driver.close());

  it('lists sizes from DescribeInstanceTypes with zones from the offerings and prices from the table', async () => {
    const sizes = await collect<AwsSize>((request) => driver.doListSizes(request, callContext()), 500);
    expect(sizes.length).toBeGreaterThan(500);
    expect(new Set(sizes.map((size) => size.name)).size).toBe(sizes.length);
    const micro = sizes.find((size) => size.name === 't3.micro');
    expect(micro).toMatchObject({
      resources: { vcpus: 2, memoryMiB: 1024, gpus: 0 },
      pricePerHour: 0.0104,
      networkPerformance: expect.any(String),
    });
    expect(micro?.locations).toContain('us-east-1a');
    expect(sizes.find((size) => size.name === 'm5.xlarge')?.pricePerHour).toBeUndefined();
    const gpu = sizes.find((size) => (size.resources.gpus ?? 0) > 0);
    expect(gpu).toBeDefined();
  });

  it('lists images for the configured owners and name patterns', async () => {
    const images = await collect<Image>((request) => driver.doListImages(request, callContext()), 1);
    expect(images.length).toBeGreaterThan(0);
    expect(images.every((image) => /ubuntu/.test(image.name) && image.id.startsWith('ami-'))).toBe(true);
    expect(images[0]?.os).toBe('linux');
    const everything = motoDriver({ images: { owners: ['amazon'] } });
    const all = await collect<Image>((request) => everything.doListImages(request, callContext()), 400);
    expect(all.length).toBeGreaterThan(1000);
    expect(all.some((image) => image.os === 'windows')).toBe(true);
    await everything.close();
  });

  it('lists regions and the zones of its region', async () => {
    const locations = await collect<Location>(
      (request) => driver.doListLocations(request, callContext()),
      10,
    );
    expect(locations).toContainEqual({ id: 'eu-west-1', kind: 'region' });
    expect(locations).toContainEqual({ id: 'us-east-1a', kind: 'zone', region: 'us-east-1' });
    expect(
      locations
        .filter((location) => location.kind === 'zone')
        .every((zone) => zone.id.startsWith('us-east-1')),
    ).toBe(true);
  });

  it('reads CPU and network series from CloudWatch GetMetricData', async () => {
    const vm = await driver.doCreateVm(
      { name: 'metered', size: 't3.micro', image: MOTO_IMAGE },
      createContext('m-1'),
    );
    const cloudWatch = new CloudWatchClient({
      region: 'us-east-1',
      endpoint: motoUrl,
      credentials: MOTO_CREDENTIALS,
    });
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    const minutes = [5, 4, 3];
    await cloudWatch.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/EC2',
        MetricData: minutes.flatMap((ago, index) => [
          {
            MetricName: 'CPUUtilization',
            Dimensions: [{ Name: 'InstanceId', Value: vm.id }],
            Timestamp: new Date(now - ago * 60_000),
            Value: 20 + index * 10,
            Unit: 'Percent',
          },
          {
            MetricName: 'NetworkIn',
            Dimensions: [{ Name: 'InstanceId', Value: vm.id }],
            Timestamp: new Date(now - ago * 60_000),
            Value: 6000,
            Unit: 'Bytes',
          },
        ]),
      }),
    );
    cloudWatch.destroy();
    const series = await driver.doReadMetrics(
      {
        target: { vmId: vm.id },
        metrics: ['cpu.utilization', 'network.rx.bytesPerSecond', 'memory.used.bytes'],
        from: new Date(now - 10 * 60_000),
        to: new Date(now),
      },
      callContext(),
    );
    expect(series.map((entry) => entry.metric)).toEqual(['cpu.utilization', 'network.rx.bytesPerSecond']);
    expect([...(series[0]?.values ?? [])]).toEqual([0.2, 0.3, 0.4]);
    expect([...(series[0]?.timestampsMs ?? [])]).toEqual(minutes.map((ago) => now - ago * 60_000));
    expect([...(series[1]?.values ?? [])]).toEqual([100, 100, 100]);
  });
});
