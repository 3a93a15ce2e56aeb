import type { PlacementDemand } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import { makeHost } from '../../test/fleet-fixtures.js';
import { createScheduler } from '../create-scheduler.js';
import type { PlacementScorer } from '../placement-scorer.js';
import { balancedAllocation } from './balanced-allocation.js';
import { cost } from './cost.js';
import { pack } from './pack.js';
import { perHostScorer } from './per-host-scorer.js';
import { preferredLabels } from './preferred-labels.js';
import { spread } from './spread.js';

const vm: PlacementDemand = { key: 'x', resources: { vcpus: 2, memoryMiB: 8192 } };

function choose(scorers: PlacementScorer[], hosts = fleet(), demand = vm): string | undefined {
  const plan = createScheduler({ scorers }).place({ hosts, demands: [demand] });
  return plan.assignments[0]?.hostId;
}

/** Index 0 is half full in CPU and memory; 1 is empty; 2 is full in CPU only; 3 costs least. */
const fleet = () => [
  makeHost('half', { allocated: { vcpus: 8, memoryMiB: 32_768 }, labels: { cost: '5' } }),
  makeHost('empty', { labels: { cost: '4', disk: 'ssd' } }),
  makeHost('cpu-heavy', { allocated: { vcpus: 12, memoryMiB: 8192 }, labels: { cost: '9' } }),
  makeHost('cheap', { allocated: { vcpus: 4, memoryMiB: 4096 }, labels: { cost: '1' } }),
];

describe('built-in scorers', () => {
  it('pack prefers the fullest host, spread the emptiest', () => {
    expect(choose([pack()])).toBe('half');
    expect(choose([spread()])).toBe('empty');
  });

  it('balanced allocation prefers the host whose shares stay even', () => {
    const hosts = [
      makeHost('cpu-heavy', { allocated: { vcpus: 12 } }),
      makeHost('even', { allocated: { vcpus: 4, memoryMiB: 16_384 } }),
    ];
    expect(choose([balancedAllocation()], hosts)).toBe('even');
  });

  it('cost prefers the cheapest host, by the cost label or a function', () => {
    expect(choose([cost()])).toBe('cheap');
    expect(choose([cost({ costOf: (host) => (host.id === 'cpu-heavy' ? 0 : 1) })])).toBe('cpu-heavy');
  });

  it('preferred labels prefers hosts with the labels', () => {
    expect(choose([preferredLabels()], fleet(), { ...vm, preferredLabels: { disk: 'ssd' } })).toBe('empty');
  });

  it('weights decide between scorers that disagree', () => {
    expect(choose([pack({ weight: 1 }), cost({ weight: 10 })])).toBe('cheap');
    expect(choose([pack({ weight: 10 }), cost({ weight: 1 })])).toBe('half');
  });

  it('a per-host scorer ranks hosts by its function', () => {
    expect(
      choose([perHostScorer('by-name', 1, (_demand, host) => (host.id === 'cpu-heavy' ? 100 : 0))]),
    ).toBe('cpu-heavy');
  });

  it('refuses a weight that is not a positive number', () => {
    expect(() => pack({ weight: -1 })).toThrow(/weight is -1/);
  });
});
