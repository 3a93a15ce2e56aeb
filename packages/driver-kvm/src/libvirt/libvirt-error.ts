/** libvirt's error codes (`virErrorNumber`) that NovaCron treats specially; libvirt has many more. */
export const LibvirtErrorCode = {
  INTERNAL_ERROR: 1,
  NO_SUPPORT: 3,
  NO_CONNECT: 5,
  INVALID_ARG: 8,
  OPERATION_FAILED: 9,
  XML_ERROR: 27,
  DOM_EXIST: 28,
  OPERATION_DENIED: 29,
  SYSTEM_ERROR: 38,
  RPC: 39,
  NO_DOMAIN: 42,
  AUTH_FAILED: 45,
  NO_STORAGE_POOL: 49,
  NO_STORAGE_VOL: 50,
  OPERATION_INVALID: 55,
  CONFIG_UNSUPPORTED: 67,
  OPERATION_TIMEOUT: 68,
  NO_DOMAIN_SNAPSHOT: 72,
  ARGUMENT_UNSUPPORTED: 74,
  OPERATION_ABORTED: 78,
  AUTH_CANCELLED: 79,
  MIGRATE_UNSAFE: 81,
  OPERATION_UNSUPPORTED: 84,
  AGENT_UNRESPONSIVE: 86,
  RESOURCE_BUSY: 87,
  ACCESS_DENIED: 88,
  STORAGE_VOL_EXIST: 90,
  AUTH_UNAVAILABLE: 94,
} as const;

/** What the daemon sent in a `remote_error`. */
export interface LibvirtErrorDetails {
  /** libvirt's error code (`virErrorNumber`, e.g. 42 = no domain). */
  code: number;
  /** The libvirt subsystem that raised it (`virErrorDomain`, e.g. 10 = qemu, 12 = test). */
  domain: number;
  /** libvirt's message. */
  message: string;
  /** 1 = warning, 2 = error. */
  level: number;
  /** The domain name the error is about, where libvirt says. */
  domainName?: string | undefined;
  /** Extra strings libvirt attaches. */
  str1?: string | undefined;
}

/**
 * An error reported by libvirt itself, with libvirt's code, domain and message kept as they came.
 *
 * @example
 * try { await client.lookupDomainByName('nope'); }
 * catch (error) { if (error instanceof LibvirtError && error.code === LibvirtErrorCode.NO_DOMAIN) { ... } }
 */
export class LibvirtError extends Error {
  /** libvirt's error code (`virErrorNumber`). */
  readonly code: number;
  /** libvirt's error domain (`virErrorDomain`). */
  readonly domain: number;
  /** 1 = warning, 2 = error. */
  readonly level: number;
  /** The procedure that failed (`DOMAIN_LOOKUP_BY_NAME`). */
  readonly procedure: string;
  /** The domain name libvirt attached, where it did. */
  readonly domainName: string | undefined;

  constructor(details: LibvirtErrorDetails, procedure: string) {
    super(details.message);
    this.name = 'LibvirtError';
    this.code = details.code;
    this.domain = details.domain;
    this.level = details.level;
    this.procedure = procedure;
    this.domainName = details.domainName;
  }
}

/** The daemon sent something that is not valid libvirt RPC (oversized, truncated or garbled). The connection is closed. */
export class LibvirtProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LibvirtProtocolError';
  }
}

/** The connection to the daemon failed, closed or timed out; calls in flight fail with it. Safe to retry unless `refused`. */
export class LibvirtConnectionError extends Error {
  /** Where the client was connecting to (without credentials). */
  readonly target: string;
  /** True when the daemon or the ssh server refused the client's credentials (TLS certificate, ssh key or host key); retrying will not help. */
  readonly refused: boolean;

  constructor(message: string, target: string, options?: { cause?: unknown; refused?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LibvirtConnectionError';
    this.target = target;
    this.refused = options?.refused ?? false;
  }
}
