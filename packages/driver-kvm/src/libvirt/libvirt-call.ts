import type { Procedure } from './libvirt-protocol.js';
import { type DomainRef, writeDomain } from './libvirt-types.js';
import type { XdrReader } from './xdr-reader.js';
import { XdrWriter } from './xdr-writer.js';

/** The name of a procedure of the remote program (`DOMAIN_GET_STATE`), as {@link Procedure} lists it. */
export type ProcedureName = keyof typeof Procedure;

/**
 * Sends one procedure call and resolves with its decoded reply: what every procedure function is given. A fired
 * `signal` stops the wait, not the call (the daemon cannot cancel a call in flight; its reply is dropped).
 */
export type LibvirtCall = <T>(
  procedure: ProcedureName,
  body: Buffer,
  decode: (reader: XdrReader) => T,
  signal?: AbortSignal,
) => Promise<T>;

/** The body of a call that carries no arguments. */
export const EMPTY_BODY = Buffer.alloc(0);

/** The decoder of a reply that carries nothing. */
export const noReply = (): void => undefined;

/** A writer whose body starts with the domain the call is about (`remote_nonnull_domain`). */
export function withDomain(domain: DomainRef): XdrWriter {
  return writeDomain(new XdrWriter(), domain);
}

/** A procedure whose only argument is a domain (`{ dom }`), as a function of the call and the domain. */
export function domainProcedure<T>(procedure: ProcedureName, decode: (reader: XdrReader) => T) {
  return (call: LibvirtCall, domain: DomainRef, signal?: AbortSignal): Promise<T> =>
    call(procedure, withDomain(domain).toBuffer(), decode, signal);
}

/** A procedure whose arguments are a domain and flags (`{ dom, flags }`), as a function of the call, domain and flags. */
export function domainFlagsProcedure<T>(procedure: ProcedureName, decode: (reader: XdrReader) => T) {
  return (call: LibvirtCall, domain: DomainRef, flags: number, signal?: AbortSignal): Promise<T> =>
    call(procedure, withDomain(domain).uint(flags).toBuffer(), decode, signal);
}
