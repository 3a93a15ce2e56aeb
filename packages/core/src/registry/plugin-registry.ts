import type { DriverV1 } from '../driver/driver-v1.js';
import type { MiddlewarePosition } from '../pipeline/middleware-stack.js';
import type { Middleware } from '../pipeline/operation.js';

/** The driver specification versions this core implements. */
export const SUPPORTED_SPECIFICATION_VERSIONS: readonly string[] = ['v1'];

/** How a driver package announces itself, so clients can create drivers by kind. */
export interface DriverRegistration<TOptions = never> {
  /** The driver kind (`sim`, `kvm`). Unique in a registry. */
  kind: string;
  /** The npm package (`@novacron/driver-sim`). */
  packageName: string;
  /** The package version. */
  version: string;
  /** The driver contract it implements (`v1`). */
  specificationVersion: string;
  /** Makes a driver instance. */
  create(options: TOptions): DriverV1;
}

/** A plugin: middleware for the operations pipeline (a budget policy, an audit log...). */
export interface NovaCronPlugin {
  /** Unique in a registry. */
  name: string;
  /** The plugin's version. */
  version: string;
  /** The plugin contract it implements (`v1`). */
  specificationVersion: string;
  /** Pipeline steps to add; each goes before `timeout` unless a position says otherwise. */
  middleware?: Array<{ middleware: Middleware; position?: MiddlewarePosition }>;
}

/**
 * The plugin registry: drivers register by kind and plugins by name, each with its version and the specification
 * version it implements. Duplicates and incompatible specification versions are refused with a `TypeError`
 * saying what to change.
 *
 * @example
 * const registry = new PluginRegistry();
 * registry.registerDriver(simDriverRegistration);
 * const driver = registry.createDriver('sim', { seed: 1 });
 */
export class PluginRegistry {
  private readonly driverRegistrations = new Map<string, DriverRegistration<unknown>>();
  private readonly pluginRegistrations = new Map<string, NovaCronPlugin>();

  /** Registers a driver kind. */
  registerDriver<TOptions>(registration: DriverRegistration<TOptions>): void {
    assertCompatible(
      `Driver '${registration.kind}' (${registration.packageName}@${registration.version})`,
      registration.specificationVersion,
    );
    const existing = this.driverRegistrations.get(registration.kind);
    if (existing !== undefined) {
      throw new TypeError(
        `A driver of kind '${registration.kind}' is already registered (${existing.packageName}@${existing.version}); refusing ${registration.packageName}@${registration.version}. Register each kind once.`,
      );
    }
    this.driverRegistrations.set(registration.kind, registration as DriverRegistration<unknown>);
  }

  /** Registers a plugin. */
  registerPlugin(plugin: NovaCronPlugin): void {
    assertCompatible(`Plugin '${plugin.name}@${plugin.version}'`, plugin.specificationVersion);
    if (this.pluginRegistrations.has(plugin.name)) {
      throw new TypeError(
        `A plugin named '${plugin.name}' is already registered. Register each plugin once.`,
      );
    }
    this.pluginRegistrations.set(plugin.name, plugin);
  }

  /** Creates a driver of a registered kind. */
  createDriver(kind: string, options: unknown): DriverV1 {
    const registration = this.driverRegistrations.get(kind);
    if (registration === undefined) {
      const known = [...this.driverRegistrations.keys()];
      throw new TypeError(
        `No driver of kind '${kind}' is registered (registered: ${known.length > 0 ? known.join(', ') : 'none'}). Install its package and call registry.registerDriver(...).`,
      );
    }
    return registration.create(options as never);
  }

  /** The registered drivers. */
  drivers(): ReadonlyArray<DriverRegistration<unknown>> {
    return [...this.driverRegistrations.values()];
  }

  /** The registered plugins, in registration order. */
  plugins(): ReadonlyArray<NovaCronPlugin> {
    return [...this.pluginRegistrations.values()];
  }
}

function assertCompatible(what: string, specificationVersion: string): void {
  if (!SUPPORTED_SPECIFICATION_VERSIONS.includes(specificationVersion)) {
    throw new TypeError(
      `${what} implements specification '${specificationVersion}', but this @novacron/core supports ${SUPPORTED_SPECIFICATION_VERSIONS.join(', ')}. Install versions that match.`,
    );
  }
}
