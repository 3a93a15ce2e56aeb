import { describe, expect, it } from 'vitest';
import { firstStartAction } from './kvm-first-start.js';
import { DomainState } from './libvirt/index.js';

const { RUNNING, PAUSED, SHUTOFF, CRASHED } = DomainState;

describe('what a same-key create retry does with the domain it finds', () => {
  const pending = { tags: {}, startPending: true };
  const started = { tags: {}, startedAt: '2026-01-01T00:00:00.000Z' };
  const older = { tags: {} };

  it.each([
    // recorded first start: never started again, whatever libvirt's reason says
    ['started', started, SHUTOFF, 0, 'leave'],
    ['started', started, SHUTOFF, 1, 'leave'],
    ['started', started, RUNNING, 1, 'leave'],
    // pending: shut off as a never-run domain reads (unknown, failed) -> start
    ['pending', pending, SHUTOFF, 0, 'start'],
    ['pending', pending, SHUTOFF, 6, 'start'],
    // pending but it has run: record, leave the state
    ['pending', pending, RUNNING, 1, 'record'],
    ['pending', pending, PAUSED, 1, 'record'],
    ['pending', pending, SHUTOFF, 1, 'record'],
    ['pending', pending, SHUTOFF, 2, 'record'],
    ['pending', pending, SHUTOFF, 5, 'record'],
    ['pending', pending, CRASHED, 0, 'record'],
    // made before first starts were recorded: left as it is
    ['older', older, SHUTOFF, 0, 'leave'],
    ['older', older, RUNNING, 1, 'leave'],
  ] as const)('%s, state %i reason %i: %s', (_label, metadata, state, reason, action) => {
    expect(firstStartAction(metadata, { state, reason })).toBe(action);
  });

  it('trusts a recorded start over a pending flag left beside it', () => {
    expect(firstStartAction({ ...pending, ...started }, { state: SHUTOFF, reason: 0 })).toBe('leave');
  });
});
