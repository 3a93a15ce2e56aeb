import type { VmState } from '@novacron/core';

/** What the state is read from: a VM's provisioning state and its instance view's status codes. */
export interface AzureStateInput {
  /** `properties.provisioningState` (`Succeeded`, `Creating`, `Failed`...). */
  provisioningState?: string | undefined;
  /** `instanceView.statuses[].code`: `ProvisioningState/succeeded`, `PowerState/running`... */
  statuses?: ReadonlyArray<{ code?: string | undefined }> | undefined;
}

/**
 * Azure's power states. `deallocating` is on its way to stopped (compute released), so it is `stopping`, never
 * `stopped`; `stopped` (powered off, still allocated and billed) and `deallocated` (released, not billed for compute)
 * are both `stopped`, told apart by `reason`.
 */
const POWER: Record<string, Pick<VmState, 'name' | 'reason'>> = {
  starting: { name: 'pending' },
  running: { name: 'running' },
  stopping: { name: 'stopping' },
  deallocating: { name: 'stopping', reason: 'deallocating: compute is being released' },
  stopped: { name: 'stopped', reason: 'stopped: powered off but still allocated, compute is still billed' },
  deallocated: { name: 'stopped', reason: 'deallocated: compute released, not billed' },
};

/**
 * The NovaCron state of a VM, from its instance view:
 * - a power state wins when there is one (a running VM whose extension failed is `running`, with the failure as
 *   `reason`);
 * - with no power state, a failed provisioning is `error` with Azure's code as `reason`
 *   (`ProvisioningState/failed/OSProvisioningTimedOut` gives `OSProvisioningTimedOut`), a VM being created or
 *   updated is `pending`, one being deleted is `terminated`;
 * - anything else is `unknown`, with the raw string kept in `providerState`.
 *
 * @example
 * toVmState({ statuses: [{ code: 'ProvisioningState/succeeded' }, { code: 'PowerState/deallocated' }] });
 * // { name: 'stopped', providerState: 'PowerState/deallocated', reason: 'deallocated: ...' }
 */
export function toVmState(input: AzureStateInput): VmState {
  const codes = (input.statuses ?? []).map((status) => status.code ?? '').filter((code) => code !== '');
  const power = codes.find((code) => code.startsWith('PowerState/'));
  const provisioningCode = codes.find((code) => code.startsWith('ProvisioningState/'));
  const provisioning = (input.provisioningState ?? provisioningCode?.split('/')[1] ?? '').toLowerCase();
  const failure = provisioningCode?.startsWith('ProvisioningState/failed')
    ? (provisioningCode.split('/')[2] ?? 'failed')
    : undefined;
  if (power !== undefined) {
    const mapped = POWER[power.slice('PowerState/'.length).toLowerCase()];
    if (mapped === undefined) return { name: 'unknown', providerState: power };
    const state: VmState = { name: mapped.name, providerState: power };
    if (provisioning === 'deleting') return { name: 'terminated', providerState: power, reason: 'deleting' };
    const reason =
      failure !== undefined || provisioning === 'failed'
        ? [mapped.reason, `provisioning failed (${failure ?? 'Failed'})`].filter(Boolean).join('; ')
        : mapped.reason;
    if (reason !== undefined) state.reason = reason;
    return state;
  }
  const raw =
    provisioningCode ?? (input.provisioningState === undefined ? '' : `ProvisioningState/${provisioning}`);
  if (provisioning === 'failed' || failure !== undefined) {
    return { name: 'error', providerState: raw, reason: failure ?? 'Failed' };
  }
  if (provisioning === 'creating' || provisioning === 'updating' || provisioning === 'migrating') {
    return { name: 'pending', providerState: raw };
  }
  if (provisioning === 'deleting') return { name: 'terminated', providerState: raw, reason: 'deleting' };
  return { name: 'unknown', providerState: raw === '' ? 'unknown' : raw };
}
