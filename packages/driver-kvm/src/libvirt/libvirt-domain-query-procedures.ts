import { domainFlagsProcedure, domainProcedure, type LibvirtCall, withDomain } from './libvirt-call.js';
import {
  type DomainRef,
  readDomain,
  readTypedParams,
  type TypedParamValue,
  writeDomain,
} from './libvirt-types.js';
import { XdrWriter } from './xdr-writer.js';

/** `virDomainInfo`. */
export interface DomainInfo {
  /** `virDomainState`. */
  state: number;
  /** Maximum memory in KiB. */
  maxMemoryKiB: bigint;
  /** Current memory in KiB. */
  memoryKiB: bigint;
  /** Virtual CPUs. */
  vcpus: number;
  /** CPU time used, in nanoseconds. */
  cpuTimeNs: bigint;
}

/** One domain's record from all-domain stats. */
export interface DomainStatsRecord {
  /** The domain. */
  domain: DomainRef;
  /** Its stats (`state.state`, `cpu.time`, `balloon.current`, `block.0.rd.bytes`...). */
  stats: Record<string, TypedParamValue>;
}

/** Every domain, running or not (`virConnectListAllDomains`); `flags` filters (`ListDomainsFlag`). */
export function listAllDomains(call: LibvirtCall, flags: number, signal?: AbortSignal): Promise<DomainRef[]> {
  return call(
    'CONNECT_LIST_ALL_DOMAINS',
    new XdrWriter().int(1).uint(flags).toBuffer(),
    (reader) => reader.array(readDomain),
    signal,
  );
}

/** A domain by name; fails with libvirt error 42 (no domain) when there is none. */
export function lookupDomainByName(
  call: LibvirtCall,
  name: string,
  signal?: AbortSignal,
): Promise<DomainRef> {
  return call('DOMAIN_LOOKUP_BY_NAME', new XdrWriter().string(name).toBuffer(), readDomain, signal);
}

/** A domain by its 16 UUID bytes. */
export function lookupDomainByUuid(
  call: LibvirtCall,
  uuid: Uint8Array,
  signal?: AbortSignal,
): Promise<DomainRef> {
  return call('DOMAIN_LOOKUP_BY_UUID', new XdrWriter().fixedOpaque(uuid).toBuffer(), readDomain, signal);
}

/** The domain's state and reason (`virDomainGetState`). */
export function getDomainState(
  call: LibvirtCall,
  domain: DomainRef,
  signal?: AbortSignal,
): Promise<{ state: number; reason: number }> {
  return call(
    'DOMAIN_GET_STATE',
    withDomain(domain).uint(0).toBuffer(),
    (reader) => ({ state: reader.int(), reason: reader.int() }),
    signal,
  );
}

/** State, memory, vCPUs and CPU time (`virDomainGetInfo`). */
export const getDomainInfo = domainProcedure(
  'DOMAIN_GET_INFO',
  (reader): DomainInfo => ({
    state: reader.uint(),
    maxMemoryKiB: reader.unsignedHyper(),
    memoryKiB: reader.unsignedHyper(),
    vcpus: reader.uint(),
    cpuTimeNs: reader.unsignedHyper(),
  }),
);

/** The domain's XML (`virDomainGetXMLDesc`; flag 2 = inactive definition). */
export const getDomainXml = domainFlagsProcedure('DOMAIN_GET_XML_DESC', (reader) => reader.string());

/**
 * Statistics of many domains in one call (`virConnectGetAllDomainStats` / `virDomainListGetStats`). With no
 * domains, every domain; `groups` 0 = every group (`DomainStatsGroup`).
 */
export function getAllDomainStats(
  call: LibvirtCall,
  domains: readonly DomainRef[],
  groups: number,
  flags: number,
  signal?: AbortSignal,
): Promise<DomainStatsRecord[]> {
  const writer = new XdrWriter().array(domains, (w, domain) => writeDomain(w, domain));
  return call(
    'CONNECT_GET_ALL_DOMAIN_STATS',
    writer.uint(groups).uint(flags).toBuffer(),
    (reader) => reader.array((r) => ({ domain: readDomain(r), stats: readTypedParams(r) })),
    signal,
  );
}
