import { describe, expect, it } from 'vitest';
import { GCE_STATUS_ROWS } from '../test/support/gce-status-rows.js';
import { toVmState } from './gcp-state-map.js';

describe('toVmState', () => {
  it.each(GCE_STATUS_ROWS)('maps %s to %s', (status, name, reason) => {
    const state = toVmState(status);
    expect(state.name).toBe(name);
    expect(state.providerState).toBe(status);
    expect(state.reason).toBe(reason);
  });

  it('maps a status it does not know to unknown, keeping the raw status', () => {
    expect(toVmState('HIBERNATING')).toEqual({ name: 'unknown', providerState: 'HIBERNATING' });
    expect(toVmState('toString')).toEqual({ name: 'unknown', providerState: 'toString' });
    expect(toVmState(undefined)).toEqual({ name: 'unknown', providerState: 'UNKNOWN' });
  });
});
