import { NovaCronError } from '../errors/novacron-error.js';
import type { PlacerCheck } from './placer.js';

/**
 * The `CONFLICT` for a plan that no longer fits the fleet: names each host that changed and the VMs it can no
 * longer take, says nothing was created, and says to plan again.
 *
 * @example
 * if (!check.ok) throw stalePlanError('sim', 'a1b2c3d4e5f60718', check);
 */
export function stalePlanError(provider: string, id: string, check: PlacerCheck): NovaCronError {
  const byHost = new Map<string, string[]>();
  for (const violation of check.violations) {
    const list = byHost.get(violation.hostId) ?? [];
    list.push(`${violation.key} (${violation.text})`);
    byHost.set(violation.hostId, list);
  }
  const hosts = [...byHost.keys()];
  const details = [...byHost].map(([host, vms]) => `host ${host} can no longer take ${vms.join(', ')}`);
  return new NovaCronError({
    code: 'CONFLICT',
    provider,
    operation: 'placement.apply',
    message: `Placement plan ${id} is stale: ${hosts.length === 1 ? 'host' : 'hosts'} ${hosts.join(', ')} changed since it was made (${details.join('; ')}). Nothing was created. Make a new plan with nc.placement.plan and apply that.`,
  });
}
