/** What a {@link ProviderError} keeps of a provider's failure. */
export interface ProviderErrorDetails {
  /** The provider's own error code (`InvalidInstanceID.NotFound`, libvirt's `VIR_ERR_NO_DOMAIN`). */
  providerCode?: string | undefined;
  /** The provider's message, with credentials in URLs and key=value pairs redacted. */
  message: string;
  /** The provider's request id, for its support. */
  requestId?: string | undefined;
  /** The HTTP status, where the failure came over HTTP. */
  statusCode?: number | undefined;
}

/**
 * The `cause` a driver's `NovaCronError` carries: what a person needs from the provider's failure (code,
 * message, request id, HTTP status) and nothing else. The SDK's own error is dropped on purpose: SDK errors keep the
 * request, its signed headers and the credentials that signed it, which `util.inspect(error, { showHidden: true })`
 * or a logger walking the `cause` chain would print.
 */
export class ProviderError extends Error {
  /** The provider's own error code, where it gave one. */
  readonly providerCode: string | undefined;
  /** The provider's request id, where it gave one. */
  readonly requestId: string | undefined;
  /** The HTTP status, where there was one. */
  readonly statusCode: number | undefined;

  constructor(details: ProviderErrorDetails) {
    super(redactSecrets(details.message));
    this.name = 'ProviderError';
    this.providerCode = details.providerCode;
    this.requestId = details.requestId;
    this.statusCode = details.statusCode;
  }
}

/** Query parameters and `key=value` pairs whose values are credentials (signed URLs, SAS tokens, passwords). */
const SECRET_PAIR =
  /\b([\w.-]*(?:signature|credential|token|secret|password|passwd|apikey|api_key|access_key|sig|key)[\w.-]*)=([^&\s"',;]+)/gi;
/** Headers quoted in a message (`x-amz-security-token:...`, `x-ms-...-signature: ...`) whose values are credentials. */
const SECRET_HEADER =
  /\b((?:x-[\w-]*)?(?:security-token|signature|credential|secret|password|api-key|session-token)[\w-]*)(\s*:\s*)[^\s"',;]+/gi;
/** A PEM private key (`-----BEGIN ... PRIVATE KEY-----`), whole or cut off. */
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
/** The password of a URI's user information (`qemu+tls://user:password@host/...`, `https://user:pw@host`). */
const URI_PASSWORD = /(\/\/[^\s/:@'"]*):[^\s/@'"]*@/g;
/** `Authorization: <scheme> <value>` and bearer tokens. */
const AUTHORIZATION =
  /\b(authorization|bearer)(\s*[:=]?\s*)(?:(?:AWS4-HMAC-SHA256|Bearer|Basic|SharedKey)\s+)?[^\s"',;]+/gi;

/**
 * Replaces the values of credential-looking parameters in `text` with `[redacted]`: `X-Amz-Signature=...`,
 * `sig=...`, `access_token=...`, `password=...`, `x-amz-security-token: ...`, `Authorization: ...`, the password of
 * a URI's user information and PEM private keys.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(PRIVATE_KEY, '[private key redacted]')
    .replace(URI_PASSWORD, '$1:[redacted]@')
    .replace(SECRET_PAIR, (_match, name: string) => `${name}=[redacted]`)
    .replace(SECRET_HEADER, (_match, name: string, separator: string) => `${name}${separator}[redacted]`)
    .replace(AUTHORIZATION, (_match, name: string, separator: string) => `${name}${separator}[redacted]`);
}
