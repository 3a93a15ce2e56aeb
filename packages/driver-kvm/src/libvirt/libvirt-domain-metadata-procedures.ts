import { type LibvirtCall, noReply, withDomain } from './libvirt-call.js';
import type { DomainRef } from './libvirt-types.js';
import type { XdrWriter } from './xdr-writer.js';

/**
 * What `virDomainSetMetadata` sets (`remote_domain_set_metadata_args` without the domain and flags).
 *
 * For `DomainMetadataType.ELEMENT`, `metadata` is one XML element whose elements carry no namespace: libvirt puts
 * them all in `uri` with the prefix `key` and replaces whatever element of that `uri` the domain had. `null`
 * metadata removes it. For `DESCRIPTION` and `TITLE`, `metadata` is the text and `key` and `uri` are `null`.
 */
export interface DomainMetadataInput {
  /** `DomainMetadataType`. */
  type: number;
  /** The new metadata, or null to remove it. */
  metadata: string | null;
  /** The namespace prefix (`ELEMENT` only). */
  key: string | null;
  /** The namespace URI (`ELEMENT` only). */
  uri: string | null;
}

/** Writes the arguments after the domain: `type`, `metadata`, `key`, `uri` (each a `remote_string`), `flags`. */
function writeMetadataArgs(writer: XdrWriter, input: DomainMetadataInput, flags: number): XdrWriter {
  return writer
    .int(input.type)
    .optionalString(input.metadata)
    .optionalString(input.key)
    .optionalString(input.uri)
    .uint(flags);
}

/**
 * Sets a domain's description, title or one metadata element (`virDomainSetMetadata`); `flags` is a
 * `DomainModificationImpact` (`LIVE | CONFIG` for both definitions of a running domain).
 */
export function setDomainMetadata(
  call: LibvirtCall,
  domain: DomainRef,
  input: DomainMetadataInput,
  flags: number,
  signal?: AbortSignal,
): Promise<void> {
  return call(
    'DOMAIN_SET_METADATA',
    writeMetadataArgs(withDomain(domain), input, flags).toBuffer(),
    noReply,
    signal,
  );
}
