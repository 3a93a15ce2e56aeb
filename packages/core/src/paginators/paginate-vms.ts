import type { ListVmsOptions } from '../client/vms-api.js';
import type { Vm } from '../model/vm.js';

/** What {@link paginateVms} needs of a client: a NovaCron client fits (typed by its provider names). */
export interface VmListSource<ProviderName extends string = string> {
  /** Lists VMs through the client's pipeline. */
  vms: { list(options: ListVmsOptions<ProviderName>): AsyncIterable<Vm> };
}

/**
 * Every VM matching `options`, following every page of every provider asked, as a standalone function (in the
 * style of smithy's paginators): the same as `nc.vms.list(options)`, through the client's runtime guard and
 * pipeline (validation, retries, deadlines, events). There is no way to page a driver around the guard; a driver's
 * own pages are checked by the conformance suite.
 *
 * @example
 * for await (const vm of paginateVms(nc, { provider: 'lab', states: ['running'] })) console.log(vm.ref.id);
 */
export function paginateVms<ProviderName extends string>(
  source: VmListSource<ProviderName>,
  options: ListVmsOptions<ProviderName> = {},
): AsyncIterable<Vm> {
  return source.vms.list(options);
}
