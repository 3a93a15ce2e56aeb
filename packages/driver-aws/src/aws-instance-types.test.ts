import type { InstanceTypeInfo } from '@aws-sdk/client-ec2';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareInstanceTypes } from './aws-instance-types.js';

const type = (name: string, vcpus: number, memoryMiB: number): InstanceTypeInfo =>
  ({
    InstanceType: name,
    VCpuInfo: { DefaultVCpus: vcpus },
    MemoryInfo: { SizeInMiB: memoryMiB },
  }) as InstanceTypeInfo;

const families = ['t3', 'm5', 'c5'];

describe('compareInstanceTypes', () => {
  it('picks the cheapest priced type with a partial price table, never an unpriced one (docs/aws.md)', () => {
    // With the old comparator, m5.large (priced) vs t3.small (unpriced) fell back to size and t3.small won, while
    // t3.small vs c5.large compared by size too: an order that depended on the sort's visiting order.
    const candidates = [
      type('t3.small', 2, 2048),
      type('m5.large', 2, 8192),
      type('c5.large', 2, 4096),
      type('t3.medium', 2, 4096),
    ];
    const prices = { 'm5.large': 0.096, 'c5.large': 0.085 };
    const sorted = [...candidates].sort((left, right) => compareInstanceTypes(left, right, prices, families));
    expect(sorted.map((record) => record.InstanceType)).toEqual([
      'c5.large',
      'm5.large',
      't3.small',
      't3.medium',
    ]);
  });

  it('picks the smallest type when nothing is priced', () => {
    const sorted = [type('m5.large', 2, 8192), type('t3.micro', 2, 1024), type('t3.nano', 2, 512)].sort(
      (left, right) => compareInstanceTypes(left, right, undefined, families),
    );
    expect(sorted[0]?.InstanceType).toBe('t3.nano');
  });

  it('is a total order whatever the price table covers: antisymmetric and transitive', () => {
    const record = fc
      .record({
        family: fc.constantFrom('t3', 'm5', 'c5', 'x9'),
        size: fc.integer({ min: 0, max: 20 }),
        vcpus: fc.integer({ min: 1, max: 8 }),
        memory: fc.integer({ min: 1, max: 8 }),
        price: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      })
      .map((value) => ({
        info: type(`${value.family}.s${value.size}`, value.vcpus, value.memory * 1024),
        price: value.price,
      }));
    fc.assert(
      fc.property(fc.array(record, { minLength: 3, maxLength: 3 }), (triple) => {
        const prices: Record<string, number> = {};
        for (const { info, price } of triple)
          if (price !== undefined) prices[String(info.InstanceType)] = price;
        const compare = (left: InstanceTypeInfo, right: InstanceTypeInfo) =>
          Math.sign(compareInstanceTypes(left, right, prices, families));
        const [a, b, c] = triple.map((entry) => entry.info) as [
          InstanceTypeInfo,
          InstanceTypeInfo,
          InstanceTypeInfo,
        ];
        expect(compare(a, b)).toBe(-compare(b, a));
        if (compare(a, b) <= 0 && compare(b, c) <= 0) expect(compare(a, c)).toBeLessThanOrEqual(0);
      }),
    );
  });
});
