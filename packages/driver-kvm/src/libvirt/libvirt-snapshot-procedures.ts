import { type LibvirtCall, noReply, withDomain } from './libvirt-call.js';
import { type DomainRef, readSnapshot, type SnapshotRef, writeSnapshot } from './libvirt-types.js';
import { XdrWriter } from './xdr-writer.js';

/** Creates a snapshot from `<domainsnapshot>` XML. */
export function createSnapshot(
  call: LibvirtCall,
  domain: DomainRef,
  xml: string,
  flags: number,
  signal?: AbortSignal,
): Promise<SnapshotRef> {
  return call(
    'DOMAIN_SNAPSHOT_CREATE_XML',
    withDomain(domain).string(xml).uint(flags).toBuffer(),
    readSnapshot,
    signal,
  );
}

/** Every snapshot of a domain. */
export function listSnapshots(
  call: LibvirtCall,
  domain: DomainRef,
  flags: number,
  signal?: AbortSignal,
): Promise<SnapshotRef[]> {
  return call(
    'DOMAIN_LIST_ALL_SNAPSHOTS',
    withDomain(domain).int(1).uint(flags).toBuffer(),
    (reader) => reader.array(readSnapshot),
    signal,
  );
}

/** A snapshot by name. */
export function lookupSnapshot(
  call: LibvirtCall,
  domain: DomainRef,
  name: string,
  signal?: AbortSignal,
): Promise<SnapshotRef> {
  return call(
    'DOMAIN_SNAPSHOT_LOOKUP_BY_NAME',
    withDomain(domain).string(name).uint(0).toBuffer(),
    readSnapshot,
    signal,
  );
}

/** Reverts the domain to a snapshot. */
export function revertToSnapshot(
  call: LibvirtCall,
  snapshot: SnapshotRef,
  flags: number,
  signal?: AbortSignal,
): Promise<void> {
  return call('DOMAIN_REVERT_TO_SNAPSHOT', withSnapshot(snapshot).uint(flags).toBuffer(), noReply, signal);
}

/** Deletes a snapshot. */
export function deleteSnapshot(
  call: LibvirtCall,
  snapshot: SnapshotRef,
  flags: number,
  signal?: AbortSignal,
): Promise<void> {
  return call('DOMAIN_SNAPSHOT_DELETE', withSnapshot(snapshot).uint(flags).toBuffer(), noReply, signal);
}

/** A writer whose body starts with the snapshot (`remote_nonnull_domain_snapshot`). */
function withSnapshot(snapshot: SnapshotRef): XdrWriter {
  return writeSnapshot(new XdrWriter(), snapshot);
}
