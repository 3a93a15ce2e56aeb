import { type LibvirtCall, noReply } from './libvirt-call.js';
import type { StoragePoolRef, StorageVolumeRef } from './libvirt-types.js';
import type { XdrReader } from './xdr-reader.js';
import { XdrWriter } from './xdr-writer.js';

/** A storage pool by name. */
export function lookupStoragePool(
  call: LibvirtCall,
  name: string,
  signal?: AbortSignal,
): Promise<StoragePoolRef> {
  return call(
    'STORAGE_POOL_LOOKUP_BY_NAME',
    new XdrWriter().string(name).toBuffer(),
    (reader) => ({ name: reader.string(), uuid: reader.fixedOpaque(16) }),
    signal,
  );
}

/** Creates a volume from XML in a pool (e.g. a qcow2 overlay whose `<backingStore>` is a base image). */
export function createStorageVolume(
  call: LibvirtCall,
  pool: StoragePoolRef,
  xml: string,
  flags: number,
  signal?: AbortSignal,
): Promise<StorageVolumeRef> {
  const body = new XdrWriter().string(pool.name).fixedOpaque(pool.uuid).string(xml).uint(flags).toBuffer();
  return call('STORAGE_VOL_CREATE_XML', body, readVolume, signal);
}

/** A volume by pool and name. */
export function lookupStorageVolume(
  call: LibvirtCall,
  pool: StoragePoolRef,
  name: string,
  signal?: AbortSignal,
): Promise<StorageVolumeRef> {
  const body = new XdrWriter().string(pool.name).fixedOpaque(pool.uuid).string(name).toBuffer();
  return call('STORAGE_VOL_LOOKUP_BY_NAME', body, readVolume, signal);
}

/** A volume's path on the host. */
export function getStorageVolumePath(
  call: LibvirtCall,
  volume: StorageVolumeRef,
  signal?: AbortSignal,
): Promise<string> {
  return call('STORAGE_VOL_GET_PATH', writeVolume(volume).toBuffer(), (reader) => reader.string(), signal);
}

/** Deletes a volume. */
export function deleteStorageVolume(
  call: LibvirtCall,
  volume: StorageVolumeRef,
  signal?: AbortSignal,
): Promise<void> {
  return call('STORAGE_VOL_DELETE', writeVolume(volume).uint(0).toBuffer(), noReply, signal);
}

/** Reads a `remote_nonnull_storage_vol`. */
function readVolume(reader: XdrReader): StorageVolumeRef {
  return { pool: reader.string(), name: reader.string(), key: reader.string() };
}

/** A writer whose body starts with the volume (`remote_nonnull_storage_vol`). */
function writeVolume(volume: StorageVolumeRef): XdrWriter {
  return new XdrWriter().string(volume.pool).string(volume.name).string(volume.key);
}
