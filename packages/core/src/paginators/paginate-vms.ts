import type { DriverCallContext, DriverV1, ListVmsRequest } from '../driver/driver-v1.js';
import type { ProviderVm } from '../model/vm.js';
import { paginate } from './paginate.js';

/**
 * Every VM of one driver, straight from its `doListVms` pages (no pipeline): for driver authors and tests. Client
 * users call `nc.vms.list()`, which adds validation, retries, fan-out and events.
 *
 * @example
 * for await (const vm of paginateVms(driver, { filter: { states: ['running'] } })) console.log(vm.id);
 */
export function paginateVms(
  driver: DriverV1,
  request: Omit<ListVmsRequest, 'cursor'> = {},
  context: DriverCallContext = {
    signal: new AbortController().signal,
    operationId: 'paginate-vms',
    attempt: 1,
  },
): AsyncGenerator<ProviderVm, void, undefined> {
  return paginate(
    (cursor) => driver.doListVms({ ...request, ...(cursor !== undefined ? { cursor } : {}) }, context),
    `${driver.kind} doListVms`,
  );
}
