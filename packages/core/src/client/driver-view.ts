import type { DriverCapabilities } from '../driver/driver-capabilities.js';
import type { DriverV1 } from '../driver/driver-v1.js';

/** What a driver's `getClient()` returns: its native client type, or `unknown` when the driver does not say. */
export type DriverClient<Driver extends DriverV1> = Driver['getClient'] extends
  | (() => infer Client)
  | undefined
  ? Client
  : unknown;

/**
 * What `nc.driver(name)` hands out: the driver's kind, capabilities and native client, and nothing else. The `do*`
 * methods, `init` and `close` stay behind the client's runtime guard, so every call still goes through the
 * pipeline (validation, queue, retry, events) and a closed client cannot be bypassed. The object is frozen.
 *
 * @example
 * const ec2 = nc.driver('aws').getClient(); // typed EC2Client
 * if (nc.driver('lab').capabilities.liveMigration) await nc.migrations.start({ vm, to: 'host-2' });
 */
export interface DriverView<Driver extends DriverV1 = DriverV1> {
  /** The driver kind (`sim`, `kvm`, `aws`). */
  readonly kind: Driver['kind'];
  /** The capability manifest. */
  readonly capabilities: DriverCapabilities;
  /** The provider's native client (`EC2Client` for aws), for anything NovaCron does not cover; `undefined` if none. */
  getClient(): DriverClient<Driver>;
}

/** Builds the frozen read-only view of a driver. */
export function createDriverView<Driver extends DriverV1>(driver: Driver): DriverView<Driver> {
  return Object.freeze({
    kind: driver.kind,
    capabilities: driver.capabilities,
    getClient: () => driver.getClient?.() as DriverClient<Driver>,
  });
}
