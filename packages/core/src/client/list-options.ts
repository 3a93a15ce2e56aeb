import { NovaCronError } from '../errors/novacron-error.js';
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

/**
 * The page size a driver is asked for: the caller's, checked once here for every list (VMs and catalogs alike) and
 * capped at the driver's `maxPageSize`, or `maxPageSize` when the caller gave none.
 *
 * @throws NovaCronError `INVALID_ARGUMENT` (field `pageSize`) for anything but a positive whole number.
 */
export function resolvePageSize(
  pageSize: number | undefined,
  maxPageSize: number,
  where: { provider: string; operation: string },
): number {
  if (pageSize === undefined) return maxPageSize;
  if (typeof pageSize !== 'number' || !Number.isSafeInteger(pageSize) || pageSize < 1) {
    throw new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: 'pageSize',
      ...where,
      message: `pageSize must be a positive whole number, got ${String(pageSize)}; provider '${where.provider}' returns at most ${maxPageSize} items per page.`,
    });
  }
  return Math.min(pageSize, maxPageSize);
}
