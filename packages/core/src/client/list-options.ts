import type { PartialFailureMode } from './fan-out.js';

/**
 * Options every client list method takes. `ProviderName` is the client's provider names (`'sim' | 'aws'` for a client
 * made with `providers: { sim, aws }`), `string` for a plain `NovaCron`.
 */
export interface ListOptions<ProviderName extends string = string> {
  /** One provider, several, or (absent) every provider of the client. */
  provider?: ProviderName | ProviderName[] | undefined;
  /** Page size asked of each provider (capped at its `maxPageSize`). */
  pageSize?: number | undefined;
  /** Cancels the listing. */
  signal?: AbortSignal | undefined;
  /** When a provider fails: `throw` after the others are delivered (default) or `collect` into `failures`. */
  partial?: PartialFailureMode | undefined;
}

/** The provider names a list covers. */
export function selectProviders(provider: string | string[] | undefined, all: Iterable<string>): string[] {
  if (provider === undefined) return [...all];
  return Array.isArray(provider) ? provider : [provider];
}
