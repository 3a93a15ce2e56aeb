import {
  buildMetadataElementXml,
  type KvmDomainMetadata,
  NOVACRON_XML_NAMESPACE,
  parseDomainXml,
} from './kvm-domain-xml.js';
import { isLibvirtCode } from './kvm-error-map.js';
import type { KvmHost } from './kvm-fleet.js';
import {
  DomainMetadataType,
  DomainModificationImpact,
  type DomainRef,
  DomainState,
  LibvirtErrorCode,
} from './libvirt/index.js';

/** The namespace prefix libvirt gives NovaCron's metadata element (the one NovaCron's own domain XML uses). */
const NOVACRON_XML_KEY = 'nc';

/** libvirt's shut-off reasons (`virDomainShutoffReason`) that mean the domain has not run. */
const ShutoffReason = {
  /** Never run since it was defined, or since its daemon started: after a daemon restart every shut-off domain. */
  UNKNOWN: 0,
  /** Its start failed. */
  FAILED: 6,
} as const;

/** What a create retry does with a domain the first attempt left: start it, record its first start, or nothing. */
export type FirstStartAction = 'start' | 'record' | 'leave';

/**
 * What a same-key create retry does with the domain it found, by NovaCron's record of the first start in the
 * domain's metadata and libvirt's state:
 *
 * - `startedAt` recorded: `leave` it as the user left it (a stopped VM stays stopped, even after a daemon restart,
 *   when every shut-off domain reads reason `unknown`).
 * - `startPending` (defined by this version, first start not recorded): shut off with reason `unknown` or `failed`
 *   means it may never have run: `start` it (then record). Running, paused, or shut off for any other reason
 *   (`shutdown`, `destroyed`, `crashed`, `saved`...) means it has run: `record` the start, leave the state.
 * - neither (made by a NovaCron that did not record first starts): `leave` it. Its reason `unknown` cannot tell a
 *   domain that never started from one stopped before a daemon restart, and starting a VM the user stopped is the
 *   worse mistake; the caller gets the VM back stopped and can start it.
 *
 * @example
 * firstStartAction({ tags: {}, startPending: true }, { state: DomainState.SHUTOFF, reason: 0 }); // 'start'
 */
export function firstStartAction(
  metadata: KvmDomainMetadata,
  state: { state: number; reason: number },
): FirstStartAction {
  if (metadata.startedAt !== undefined || metadata.startPending !== true) return 'leave';
  const mayNeverHaveRun =
    state.state === DomainState.SHUTOFF &&
    (state.reason === ShutoffReason.UNKNOWN || state.reason === ShutoffReason.FAILED);
  return mayNeverHaveRun ? 'start' : 'record';
}

/**
 * Records in NovaCron's metadata that the domain has been started (`startedAt`, `startPending` dropped) with
 * `virDomainSetMetadata`, which replaces NovaCron's whole element: `metadata` must be all of it (as defined, or as
 * read back). Written to the live and the persistent definition; a domain that is not running (it stopped
 * meanwhile) gets the persistent one, which is what a shut-off domain reads and what survives a daemon restart.
 * Resolves with the metadata written.
 *
 * @throws LibvirtError or LibvirtConnectionError as libvirt fails; NovaCronError INVALID_ARGUMENT when a value
 *   cannot go into XML.
 * @example
 * await recordFirstStart(host, domain, metadata, signal);
 */
export async function recordFirstStart(
  host: KvmHost,
  domain: DomainRef,
  metadata: KvmDomainMetadata,
  signal?: AbortSignal,
): Promise<KvmDomainMetadata> {
  const started: KvmDomainMetadata = {
    ...metadata,
    startPending: undefined,
    startedAt: new Date().toISOString(),
  };
  const input = {
    type: DomainMetadataType.ELEMENT,
    metadata: buildMetadataElementXml(started),
    key: NOVACRON_XML_KEY,
    uri: NOVACRON_XML_NAMESPACE,
  };
  const { LIVE, CONFIG } = DomainModificationImpact;
  try {
    await host.client.setDomainMetadata(domain, input, LIVE | CONFIG, signal);
  } catch (error) {
    // Not running (any more): libvirt refuses LIVE with "operation invalid"; the persistent definition is enough.
    if (!isLibvirtCode(error, LibvirtErrorCode.OPERATION_INVALID)) throw error;
    await host.client.setDomainMetadata(domain, input, CONFIG, signal);
  }
  return started;
}

/**
 * After a start through the driver (`vms.start`), records the first start of a domain whose create never got to
 * (the first attempt died between define and start and was not retried), so that a later same-key create retry
 * leaves it as the user leaves it. Best effort: the start itself has succeeded, and a domain whose XML cannot be
 * read, or a failure to write the record, is left as it is (a same-key retry then decides as
 * {@link firstStartAction} says).
 *
 * @example
 * await host.client.createDomain(domain, 0, signal);
 * await recordPendingFirstStart(host, domain, signal);
 */
export async function recordPendingFirstStart(
  host: KvmHost,
  domain: DomainRef,
  signal?: AbortSignal,
): Promise<void> {
  try {
    const { metadata } = parseDomainXml(await host.client.getDomainXml(domain, 0, signal));
    if (metadata.startPending === true && metadata.startedAt === undefined) {
      await recordFirstStart(host, domain, metadata, signal);
    }
  } catch {
    // best effort, as documented
  }
}
