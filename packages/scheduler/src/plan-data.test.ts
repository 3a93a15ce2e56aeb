import type { PlacementDemand, PlacementPlan } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import { makeHost } from '../test/fleet-fixtures.js';
import { createScheduler } from './create-scheduler.js';
import { diffPlans } from './diff-plans.js';
import { formatPlan } from './format-plan.js';

const vm = (key: string, vcpus = 2): PlacementDemand => ({ key, resources: { vcpus, memoryMiB: 1024 } });
const hosts = () => [
  makeHost('a', { capacity: { vcpus: 4 } }),
  makeHost('b', { capacity: { vcpus: 4 }, state: 'maintenance' }),
];

describe('a plan is data', () => {
  const scheduler = createScheduler();

  it('survives a JSON round trip and verifies the same after it', () => {
    const plan = scheduler.place({ hosts: hosts(), demands: [vm('x'), vm('y'), vm('z')] });
    const copy = JSON.parse(JSON.stringify(plan)) as PlacementPlan;
    expect(copy).toEqual(plan);
    expect(scheduler.verify(copy, hosts())).toEqual({ ok: true, stale: [], violations: [] });
  });

  it('prints as a table with the unplaced explained', () => {
    const plan = scheduler.place({ hosts: hosts(), demands: [vm('x'), vm('y'), vm('z')] });
    const text = formatPlan(plan);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^VM\s+host\s+vCPUs\s+memory MiB\s+disk GiB\s+GPUs$/);
    expect(lines[2]).toMatch(/^x\s+a\s+2\s+1024\s+0\s+0$/);
    expect(text).toContain('Unplaced (1):\n  z: 1 host lacks 2 free vCPUs, 1 host is in maintenance');
    expect(text).toMatch(/2 VMs placed on 1 host \(1 newly used\), 1 unplaced; batch, pack/);
    expect(formatPlan(plan, { limit: 1 })).toContain('... and 1 more');
  });

  it('diffs by VM: added, removed, moved, unchanged', () => {
    const fleet = [makeHost('a'), makeHost('b')];
    const before = scheduler.place({ hosts: fleet, demands: [vm('x'), vm('y')], objective: 'spread' });
    const after = scheduler.place({ hosts: fleet, demands: [vm('x'), vm('z')], objective: 'pack' });
    const diff = diffPlans(before, after);
    const hostOf = (plan: PlacementPlan, key: string) =>
      plan.assignments.find((entry) => entry.demand.key === key)!.hostId;
    expect(diff.added.map((entry) => entry.demand.key)).toEqual(['z']);
    expect(diff.removed.map((entry) => entry.demand.key)).toEqual(['y']);
    const xMoved = hostOf(before, 'x') !== hostOf(after, 'x');
    expect(diff.moved).toEqual(
      xMoved ? [{ key: 'x', from: hostOf(before, 'x'), to: hostOf(after, 'x') }] : [],
    );
    expect(diff.unchanged).toBe(xMoved ? 0 : 1);
  });

  it('carries the snapshot a later apply re-checks: a changed fleet makes the plan stale and over-full', () => {
    const plan = scheduler.place({ hosts: hosts(), demands: [vm('x'), vm('y')] });
    expect(plan.snapshot).toEqual([
      { id: 'a', state: 'up', allocated: { vcpus: 0, memoryMiB: 0, diskGiB: 0, gpus: 0 }, vmCount: 0 },
    ]);
    const later = [
      makeHost('a', { capacity: { vcpus: 4 }, allocated: { vcpus: 2 }, vmCount: 1 }),
      hosts()[1]!,
    ];
    const check = scheduler.verify(plan, later);
    expect(check.ok).toBe(false);
    expect(check.stale).toEqual(['a']);
    expect(check.violations).toEqual([
      {
        key: 'y',
        hostId: 'a',
        rejection: { filter: 'resource-fit', resource: 'vcpus', requested: 2 },
        text: '1 host lacks 2 free vCPUs',
      },
    ]);
    expect(scheduler.verify(plan, [hosts()[1]!]).violations.map((entry) => entry.text)).toEqual([
      'host a is no longer in the fleet',
      'host a is no longer in the fleet',
    ]);
  });

  it('compares snapshots by version when hosts carry one', () => {
    const versioned = [{ ...makeHost('a'), version: '7' }];
    const plan = scheduler.place({ hosts: versioned, demands: [vm('x')] });
    expect(scheduler.verify(plan, [{ ...makeHost('a', { vmCount: 3 }), version: '7' }]).stale).toEqual([]);
    expect(scheduler.verify(plan, [{ ...makeHost('a'), version: '8' }]).stale).toEqual(['a']);
  });

  it('refuses something that is not a plan', () => {
    expect(() => scheduler.verify({ format: 2 } as never, hosts())).toThrow(/not a placement plan/);
  });
});
