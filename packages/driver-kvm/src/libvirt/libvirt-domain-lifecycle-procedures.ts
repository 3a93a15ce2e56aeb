import { domainFlagsProcedure, domainProcedure, type LibvirtCall, noReply } from './libvirt-call.js';
import { type DomainRef, readDomain } from './libvirt-types.js';
import { XdrWriter } from './xdr-writer.js';

/** Defines (or redefines) a persistent domain from XML (`virDomainDefineXMLFlags`). */
export function defineDomainXml(
  call: LibvirtCall,
  xml: string,
  flags: number,
  signal?: AbortSignal,
): Promise<DomainRef> {
  return call(
    'DOMAIN_DEFINE_XML_FLAGS',
    new XdrWriter().string(xml).uint(flags).toBuffer(),
    readDomain,
    signal,
  );
}

/** Starts a defined domain (`virDomainCreateWithFlags`); resolves with its new id. */
export const createDomain = domainFlagsProcedure('DOMAIN_CREATE_WITH_FLAGS', readDomain);

/** Asks the guest to shut down (ACPI) (`virDomainShutdown`). */
export const shutdownDomain = domainProcedure('DOMAIN_SHUTDOWN', noReply);

/** Powers the domain off at once (`virDomainDestroyFlags`). */
export const destroyDomain = domainFlagsProcedure('DOMAIN_DESTROY_FLAGS', noReply);

/** Reboots the domain (`virDomainReboot`). */
export const rebootDomain = domainFlagsProcedure('DOMAIN_REBOOT', noReply);

/** Pauses the domain's CPUs (`virDomainSuspend`). */
export const suspendDomain = domainProcedure('DOMAIN_SUSPEND', noReply);

/** Resumes a paused domain (`virDomainResume`). */
export const resumeDomain = domainProcedure('DOMAIN_RESUME', noReply);

/** Removes a domain's definition (`virDomainUndefineFlags`; flags `UndefineFlag`). */
export const undefineDomain = domainFlagsProcedure('DOMAIN_UNDEFINE_FLAGS', noReply);
