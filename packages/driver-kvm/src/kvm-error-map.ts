import { type ErrorCode, NovaCronError } from '@novacron/core';
import {
  LibvirtConnectionError,
  LibvirtError,
  LibvirtErrorCode,
  LibvirtProtocolError,
} from './libvirt/index.js';

const CODE_MAP = new Map<number, ErrorCode>([
  [LibvirtErrorCode.NO_DOMAIN, 'NOT_FOUND'],
  [LibvirtErrorCode.NO_STORAGE_POOL, 'NOT_FOUND'],
  [LibvirtErrorCode.NO_STORAGE_VOL, 'NOT_FOUND'],
  [LibvirtErrorCode.NO_DOMAIN_SNAPSHOT, 'NOT_FOUND'],
  [LibvirtErrorCode.OPERATION_INVALID, 'CONFLICT'],
  [LibvirtErrorCode.RESOURCE_BUSY, 'CONFLICT'],
  [LibvirtErrorCode.MIGRATE_UNSAFE, 'CONFLICT'],
  [LibvirtErrorCode.DOM_EXIST, 'ALREADY_EXISTS'],
  [LibvirtErrorCode.STORAGE_VOL_EXIST, 'ALREADY_EXISTS'],
  [LibvirtErrorCode.NO_SUPPORT, 'UNSUPPORTED'],
  [LibvirtErrorCode.OPERATION_UNSUPPORTED, 'UNSUPPORTED'],
  [LibvirtErrorCode.ARGUMENT_UNSUPPORTED, 'UNSUPPORTED'],
  [LibvirtErrorCode.CONFIG_UNSUPPORTED, 'UNSUPPORTED'],
  [LibvirtErrorCode.INVALID_ARG, 'INVALID_ARGUMENT'],
  [LibvirtErrorCode.XML_ERROR, 'INVALID_ARGUMENT'],
  [LibvirtErrorCode.AUTH_FAILED, 'AUTH'],
  [LibvirtErrorCode.AUTH_CANCELLED, 'AUTH'],
  [LibvirtErrorCode.AUTH_UNAVAILABLE, 'AUTH'],
  [LibvirtErrorCode.ACCESS_DENIED, 'AUTH'],
  [LibvirtErrorCode.OPERATION_DENIED, 'AUTH'],
  [LibvirtErrorCode.OPERATION_TIMEOUT, 'TIMEOUT'],
  [LibvirtErrorCode.AGENT_UNRESPONSIVE, 'TIMEOUT'],
  [LibvirtErrorCode.OPERATION_ABORTED, 'ABORTED'],
  [LibvirtErrorCode.NO_CONNECT, 'UNAVAILABLE'],
]);

const HINTS: Partial<Record<ErrorCode, string>> = {
  NOT_FOUND: 'Check the name, or list VMs to see what exists.',
  CONFLICT: 'The VM is in the wrong state for this operation; read its state and retry when it allows it.',
  UNSUPPORTED: 'This libvirt driver or hypervisor does not support it; check driver.capabilities.',
  AUTH: 'Check the permissions on the libvirt socket or the TLS/SSH credentials (see docs/kvm.md).',
  UNAVAILABLE: 'Check that libvirtd runs on the host and the URI is reachable; the call is safe to retry.',
};

/** Markup in a message: `<` opening a tag, a closing tag, a comment or a declaration. */
const MARKUP = /<[A-Za-z_/!?]/;

/**
 * libvirt's message without any XML it quoted. libvirt's XML errors quote the offending line of the document (and
 * a caret line under it); NovaCron writes a domain on one line, so that would be the whole domain, every tag value
 * included. Lines with markup and caret lines are dropped, and a line is cut where markup starts.
 *
 * @example
 * redactXml("XML error: bad char\n<domain><name>x</name></domain>\n----^"); // 'XML error: bad char [XML omitted]'
 */
export function redactXml(message: string): string {
  const lines = message.split(/\r?\n/);
  const kept: string[] = [];
  let omitted = false;
  for (const line of lines) {
    if (/^\s*-*\^\s*$/.test(line)) {
      omitted = true;
      continue;
    }
    const markup = MARKUP.exec(line);
    if (markup === null) {
      kept.push(line);
      continue;
    }
    omitted = true;
    const before = line.slice(0, markup.index).trimEnd();
    if (before !== '' && kept.length === 0) kept.push(before);
  }
  const text = kept.join(' ').trim();
  return omitted ? `${text} [XML omitted]`.trim() : text;
}

/** Where a libvirt failure happened, for the message. */
export interface KvmErrorContext {
  /** What was being done (`start VM web-1`). */
  action: string;
  /** The host id. */
  hostId?: string | undefined;
}

/**
 * Turns a libvirt failure into a {@link NovaCronError}: libvirt codes to NovaCron codes (no domain -> NOT_FOUND,
 * operation invalid -> CONFLICT, no support -> UNSUPPORTED...), lost connections and malformed frames to
 * UNAVAILABLE (retryable), with the original error kept as `cause`. NovaCronErrors and TypeErrors pass through.
 *
 * @example
 * try { await client.createDomain(domain); } catch (error) { throw toKvmError(error, { action: 'start VM web-1' }); }
 */
export function toKvmError(error: unknown, context: KvmErrorContext): Error {
  if (NovaCronError.isInstance(error) || error instanceof TypeError) return error as Error;
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) return error;
  const where = context.hostId === undefined ? '' : ` on KVM host '${context.hostId}'`;
  let code: ErrorCode = 'PROVIDER';
  let detail: string;
  let cause = error;
  if (error instanceof LibvirtError) {
    code = CODE_MAP.get(error.code) ?? 'PROVIDER';
    const message = redactXml(error.message);
    detail = `${message} (libvirt error ${error.code}, domain ${error.domain})`;
    if (message !== error.message) {
      // The cause is logged too: keep libvirt's code and procedure, not the quoted document.
      cause = new LibvirtError(
        { code: error.code, domain: error.domain, level: error.level, message, domainName: error.domainName },
        error.procedure,
      );
    }
  } else if (error instanceof LibvirtConnectionError && error.refused) {
    code = 'AUTH';
    detail = error.message;
  } else if (error instanceof LibvirtConnectionError || error instanceof LibvirtProtocolError) {
    code = 'UNAVAILABLE';
    detail = error.message;
  } else {
    detail = error instanceof Error ? error.message : String(error);
  }
  const hint = HINTS[code];
  return new NovaCronError({
    code,
    message: `Could not ${context.action}${where}: ${detail}.${hint === undefined ? '' : ` ${hint}`}`,
    cause,
  });
}

/** True when `error` is a {@link LibvirtError} with libvirt error `code` (`LibvirtErrorCode`). */
export function isLibvirtCode(error: unknown, code: number): boolean {
  return error instanceof LibvirtError && error.code === code;
}
