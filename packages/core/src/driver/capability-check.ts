import { NovaCronError } from '../errors/novacron-error.js';
import type { DriverCapabilities } from './driver-capabilities.js';
import type { DriverV1 } from './driver-v1.js';

/** The capability flags that promise optional `do*` methods. */
export type OptionalCapability =
  | 'reboot'
  | 'suspend'
  | 'hosts'
  | 'sizes'
  | 'images'
  | 'locations'
  | 'liveMigration'
  | 'metrics'
  | 'watch';

/** The driver methods each optional capability promises: a driver that declares the flag implements them. */
export const CAPABILITY_METHODS: Readonly<Record<OptionalCapability, readonly (keyof DriverV1)[]>> =
  Object.freeze({
    reboot: ['doRebootVm'],
    suspend: ['doSuspendVm', 'doResumeVm'],
    hosts: ['doListHosts'],
    sizes: ['doListSizes'],
    images: ['doListImages'],
    locations: ['doListLocations'],
    liveMigration: ['doMigrateVm'],
    metrics: ['doReadMetrics'],
    watch: ['doWatch'],
  });

/**
 * The one place NovaCron decides that a call is unsupported: the driver's manifest does not declare `capability`,
 * or declares it without the method it promises. The error tells a caller to check `capabilities` (with the driver's
 * `unsupportedReasons` sentence, when it gives one) and a driver's author which method to implement or which flag to
 * clear. Returns `undefined` when the call may go ahead.
 */
export function unsupportedCall(
  provider: string,
  driver: Pick<DriverV1, 'kind' | 'capabilities'>,
  capability: OptionalCapability,
  operation: string,
): NovaCronError | undefined {
  const capabilities: DriverCapabilities = driver.capabilities;
  if (capabilities[capability] !== true) {
    const reason = capabilities.unsupportedReasons?.[capability];
    return new NovaCronError({
      code: 'UNSUPPORTED',
      provider,
      operation,
      message: `Provider '${provider}' (the ${driver.kind} driver) does not support ${operation}: its capabilities.${capability} is false.${reason === undefined ? '' : ` ${reason}`} Check nc.driver('${provider}').capabilities.${capability} before calling.`,
    });
  }
  const missing = CAPABILITY_METHODS[capability].filter(
    (method) => typeof (driver as Record<string, unknown>)[method] !== 'function',
  );
  if (missing.length === 0) return undefined;
  return new NovaCronError({
    code: 'UNSUPPORTED',
    provider,
    operation,
    message: `Provider '${provider}' (the ${driver.kind} driver) declares capabilities.${capability} but has no ${missing.join(' or ')}, so ${operation} cannot run. This is a bug in the driver: its author must implement ${missing.join(' and ')} or clear the ${capability} flag.`,
  });
}
