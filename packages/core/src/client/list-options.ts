import type { PartialFailureMode } from './fan-out.js';

/** Options every client list method takes. */
export interface ListOptions {
  /** One provider, several, or (absent) every provider of the client. */
  provider?: string | string[] | undefined;
  /** Page size asked of each provider (capped at its `maxPageSize`). */
  pageSize?: number | undefined;
  /** Cancels the listing. */
  signal?: AbortSignal | undefined;
  /** When a provider fails: `throw` after the others are delivered (default) or `collect` into `failures`. */
  partial?: PartialFailureMode | undefined;
}

/** The provider names a list covers. */
export function selectProviders(provider: ListOptions['provider'], all: Iterable<string>): string[] {
  if (provider === undefined) return [...all];
  return Array.isArray(provider) ? provider : [provider];
}
