import {
  domainFlagsProcedure,
  domainProcedure,
  EMPTY_BODY,
  type LibvirtCall,
  noReply,
  withDomain,
} from './libvirt-call.js';
import { MigrateFlag } from './libvirt-protocol.js';
import {
  type DomainRef,
  readTypedParams,
  type TypedParamInput,
  type TypedParamValue,
  writeTypedParam,
} from './libvirt-types.js';

/** The job statistics of a domain (`virDomainGetJobStats`). */
export interface DomainJobStats {
  /** `JobType`: 0 none, 1 bounded, 2 unbounded, 3 completed, 4 failed, 5 cancelled. */
  type: number;
  /** The statistics (`data_processed`, `data_remaining`, `memory_iteration`, `memory_dirty_rate`...). */
  stats: Record<string, TypedParamValue>;
}

/** Parameters of a peer-to-peer migration (`virDomainMigrateToURI3` with `VIR_MIGRATE_PEER2PEER`). */
export interface MigrateOptions {
  /** Bandwidth cap in MiB/s. Default: unlimited. */
  bandwidthMiBps?: number | undefined;
  /** Where qemu sends the memory (`tcp://host`, `unix:///path`). Default: libvirt picks from the destination. */
  migrateUri?: string | undefined;
  /** Throttle the guest CPUs when it does not converge. Default false. */
  autoConverge?: boolean | undefined;
  /** Allow a switch to post-copy later (see {@link LibvirtClient.migrateStartPostCopy}). Default false. */
  postCopy?: boolean | undefined;
  /** Keep the domain defined on the destination. Default true. */
  persistent?: boolean | undefined;
  /** Remove the definition from the source afterwards. Default true. */
  undefineSource?: boolean | undefined;
  /** Extra typed parameters for libvirt (`compression`, `parallel.connections`...). Default none. */
  extraParams?: readonly TypedParamInput[] | undefined;
}

/**
 * Live-migrates a domain peer-to-peer: the source daemon connects to `destinationUri` (as the daemon sees it) and
 * drives the migration; resolves when it has finished. Progress: {@link getDomainJobStats} and events.
 */
export async function migrateToUri(
  call: LibvirtCall,
  domain: DomainRef,
  destinationUri: string,
  options: MigrateOptions,
  signal?: AbortSignal,
): Promise<void> {
  const params: TypedParamInput[] = [];
  if (options.bandwidthMiBps !== undefined) {
    params.push({ field: 'bandwidth', type: 'ullong', value: BigInt(Math.round(options.bandwidthMiBps)) });
  }
  if (options.migrateUri !== undefined)
    params.push({ field: 'migrate_uri', type: 'string', value: options.migrateUri });
  params.push(...(options.extraParams ?? []));
  let flags = MigrateFlag.LIVE | MigrateFlag.PEER2PEER;
  if (options.persistent ?? true) flags |= MigrateFlag.PERSIST_DEST;
  if (options.undefineSource ?? true) flags |= MigrateFlag.UNDEFINE_SOURCE;
  if (options.autoConverge === true) flags |= MigrateFlag.AUTO_CONVERGE;
  if (options.postCopy === true) flags |= MigrateFlag.POSTCOPY;
  const body = withDomain(domain)
    .optionalString(destinationUri)
    .array(params, (w, param) => writeTypedParam(w, param))
    .opaque(EMPTY_BODY)
    .uint(flags)
    .toBuffer();
  await call('DOMAIN_MIGRATE_PERFORM3_PARAMS', body, (reader) => reader.opaque(), signal);
}

/** Statistics of the domain's current job, or of the last completed one with `JobStatsFlag.COMPLETED`. */
export const getDomainJobStats = domainFlagsProcedure(
  'DOMAIN_GET_JOB_STATS',
  (reader): DomainJobStats => ({ type: reader.int(), stats: readTypedParams(reader) }),
);

/** Aborts the domain's current job, e.g. a migration (`virDomainAbortJob`). */
export const abortDomainJob = domainProcedure('DOMAIN_ABORT_JOB', noReply);

/** Sets the tolerated downtime of a migration, in milliseconds. */
export function migrateSetMaxDowntime(
  call: LibvirtCall,
  domain: DomainRef,
  downtimeMs: number,
  signal?: AbortSignal,
): Promise<void> {
  return setMigrationLimit(call, 'DOMAIN_MIGRATE_SET_MAX_DOWNTIME', domain, downtimeMs, signal);
}

/** Sets the bandwidth cap of a migration, in MiB/s. */
export function migrateSetMaxSpeed(
  call: LibvirtCall,
  domain: DomainRef,
  bandwidthMiBps: number,
  signal?: AbortSignal,
): Promise<void> {
  return setMigrationLimit(call, 'DOMAIN_MIGRATE_SET_MAX_SPEED', domain, bandwidthMiBps, signal);
}

/** Switches a running migration (started with `postCopy`) to post-copy. */
export function migrateStartPostCopy(
  call: LibvirtCall,
  domain: DomainRef,
  signal?: AbortSignal,
): Promise<void> {
  return call('DOMAIN_MIGRATE_START_POST_COPY', withDomain(domain).uint(0).toBuffer(), noReply, signal);
}

/** Sends a limit of a running migration: the domain, the value rounded to an unsigned 64-bit integer, flags 0. */
function setMigrationLimit(
  call: LibvirtCall,
  procedure: 'DOMAIN_MIGRATE_SET_MAX_DOWNTIME' | 'DOMAIN_MIGRATE_SET_MAX_SPEED',
  domain: DomainRef,
  value: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const body = withDomain(domain)
    .unsignedHyper(BigInt(Math.round(value)))
    .uint(0)
    .toBuffer();
  return call(procedure, body, noReply, signal);
}
