import type { OptionalCapability } from './capability-check.js';

/**
 * What a driver can do, as data. Code and tests branch on these flags, never on a driver's kind.
 * {@link DEFAULT_CAPABILITIES} lists the default of every flag; a driver declares only what differs.
 */
export interface DriverCapabilities {
  /** `doSuspendVm` / `doResumeVm` work. Default false. */
  readonly suspend: boolean;
  /** `doRebootVm` works. Default false. */
  readonly reboot: boolean;
  /** `doListHosts` reports hypervisor hosts (KVM, sim). Default false (clouds hide hosts). */
  readonly hosts: boolean;
  /** `CreateVmSpec.location.hostId` is honoured. Default false. */
  readonly createOnHost: boolean;
  /** `doListSizes` works. Default false. */
  readonly sizes: boolean;
  /** `doListImages` works. Default false. */
  readonly images: boolean;
  /** `doListLocations` works. Default false. */
  readonly locations: boolean;
  /** `doMigrateVm` with mode `live` works between this driver's hosts. Default false. */
  readonly liveMigration: boolean;
  /** `doReadMetrics` works. Default false. */
  readonly metrics: boolean;
  /** `doWatch` pushes state changes. Default false (the core polls instead). */
  readonly watch: boolean;
  /** The largest page `doListVms` returns. Default 100. */
  readonly maxPageSize: number;
  /** Longest VM name the provider accepts. Default 63. */
  readonly maxNameLength: number;
  /**
   * The characters a VM name may contain, as a regular expression over the whole name.
   * Default `^[a-zA-Z0-9][a-zA-Z0-9._-]*$` (what libvirt, EC2 tags and most clouds accept).
   */
  readonly namePattern: RegExp;
  /** The most tags one VM may carry. Default 50. */
  readonly maxTags: number;
  /** Longest tag key, in characters. Default 128. */
  readonly maxTagKeyLength: number;
  /** Longest tag value, in characters. Default 256. */
  readonly maxTagValueLength: number;
  /**
   * What a tag key may contain, over the whole key. Default `^[^\p{Cc}]+$` (any text without control characters:
   * non-ASCII letters and spaces included). A provider with label rules (GCP) narrows it.
   */
  readonly tagKeyPattern: RegExp;
  /** What a tag value may contain, over the whole value. Default `^[^\p{Cc}]*$` (any text without control characters). */
  readonly tagValuePattern: RegExp;
  /**
   * Why a capability the driver does not declare is missing, and what to use instead, by capability: the sentence
   * ends the `UNSUPPORTED` error a call to it gets (`metrics: 'Read them with @azure/arm-monitor.'`). Default none.
   */
  readonly unsupportedReasons: Readonly<Partial<Record<OptionalCapability, string>>>;
}

/** The default of every capability flag. */
export const DEFAULT_CAPABILITIES: DriverCapabilities = Object.freeze({
  suspend: false,
  reboot: false,
  hosts: false,
  createOnHost: false,
  sizes: false,
  images: false,
  locations: false,
  liveMigration: false,
  metrics: false,
  watch: false,
  maxPageSize: 100,
  maxNameLength: 63,
  namePattern: /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/,
  maxTags: 50,
  maxTagKeyLength: 128,
  maxTagValueLength: 256,
  tagKeyPattern: /^[^\p{Cc}]+$/u,
  tagValuePattern: /^[^\p{Cc}]*$/u,
  unsupportedReasons: Object.freeze({}),
});

/**
 * Completes a partial manifest with the defaults and freezes it.
 *
 * @example
 * const capabilities = defineCapabilities({ hosts: true, liveMigration: true });
 */
export function defineCapabilities(overrides: Partial<DriverCapabilities>): DriverCapabilities {
  return Object.freeze({ ...DEFAULT_CAPABILITIES, ...overrides });
}
