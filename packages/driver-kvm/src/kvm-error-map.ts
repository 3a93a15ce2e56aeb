import type { ErrorCode } from '@novacron/core';
import { createErrorMapper, ProviderError, type ProviderFailure, redactSecrets } from '@novacron/core/driver';
import {
  LibvirtConnectionError,
  LibvirtError,
  LibvirtErrorCode,
  LibvirtProtocolError,
} from './libvirt/index.js';

/** libvirt's error codes as NovaCron codes; any other libvirt error is `PROVIDER`. */
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

/** What to do, per code, appended to the message. */
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

/**
 * A libvirt or connection message as the driver lets it out: without quoted XML ({@link redactXml}), private keys,
 * URI passwords, `password=`, `keyfile=` and other credential-looking parameters (core's `redactSecrets`).
 *
 * @example
 * redactLibvirtMessage("cannot reach 'qemu+tls://admin:hunter2@peer/system'"); // "cannot reach 'qemu+tls://admin:[redacted]@peer/system'"
 */
export function redactLibvirtMessage(message: string): string {
  return redactSecrets(redactXml(message));
}

/** Where a libvirt failure happened, for the message. */
export interface KvmErrorContext {
  /** What was being done (`start VM web-1`). */
  action: string;
  /** The host id. */
  hostId?: string | undefined;
}

/** What the driver reads from a libvirt failure: libvirt's code and domain, the redacted message; nothing else. */
function classify(error: unknown): ProviderFailure | undefined {
  if (error instanceof LibvirtError) {
    return {
      code: CODE_MAP.get(error.code) ?? 'PROVIDER',
      message: redactLibvirtMessage(error.message),
      providerCode: `libvirt error ${error.code}, domain ${error.domain}`,
    };
  }
  if (error instanceof LibvirtConnectionError || error instanceof LibvirtProtocolError) {
    // The transport's own code (ECONNREFUSED, a TLS verification code), where there is one.
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    return {
      code: error instanceof LibvirtConnectionError && error.refused ? 'AUTH' : 'UNAVAILABLE',
      message: redactLibvirtMessage(error.message),
      providerCode: typeof code === 'string' ? code : undefined,
    };
  }
  // Not libvirt's: the error mapper decides (a network code is UNAVAILABLE, anything else PROVIDER).
  return undefined;
}

/**
 * Turns a libvirt failure into a `NovaCronError` with core's error mapper: libvirt codes to NovaCron codes (no
 * domain -> NOT_FOUND, operation invalid -> CONFLICT, no support -> UNSUPPORTED...), lost connections and malformed
 * frames to UNAVAILABLE (retryable), refused credentials to AUTH. An aborted `signal` is `TIMEOUT` when its reason is
 * a `TimeoutError` (the attempt's deadline), else `ABORTED`. The `cause` is a `ProviderError` holding libvirt's
 * code and domain and the redacted message ({@link redactLibvirtMessage}), never the RPC error. NovaCronErrors pass
 * through.
 *
 * @example
 * try { await client.createDomain(domain, 0, signal); }
 * catch (error) { throw toKvmError(error, { action: 'start VM web-1', hostId: 'h1' }, signal); }
 */
export const toKvmError = createErrorMapper<KvmErrorContext>({
  driver: 'kvm',
  classify,
  describe: ({ action, hostId }) =>
    `${action.charAt(0).toUpperCase()}${action.slice(1)}${hostId === undefined ? '' : ` on KVM host '${hostId}'`}`,
  hints: HINTS,
});

/**
 * The `cause` for a NovaCronError the driver words itself about a libvirt failure (`VM x not found on any KVM
 * host`): the same {@link ProviderError} {@link toKvmError} would attach.
 */
export function libvirtCause(error: unknown): ProviderError {
  const failure = classify(error);
  return new ProviderError(
    failure ?? { message: redactLibvirtMessage(error instanceof Error ? error.message : String(error)) },
  );
}

/** True when `error` is a {@link LibvirtError} with libvirt error `code` (`LibvirtErrorCode`). */
export function isLibvirtCode(error: unknown, code: number): boolean {
  return error instanceof LibvirtError && error.code === code;
}
