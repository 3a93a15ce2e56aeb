import { type CursorCodec, createCursorCodec } from '@novacron/core/driver';

/**
 * Where a VM list stands: the `nextLink` of the ARM page being read, exactly as ARM gave it (absent = the first
 * page), and how many of that page's VMs were already handed out. ARM picks its page size, so one ARM page can span
 * several NovaCron pages.
 */
export interface AzurePagePosition {
  /** The ARM `nextLink` that fetches the page being read; absent for the first page. */
  link?: string | undefined;
  /** VMs of that page already returned. */
  offset: number;
}

function isPosition(value: unknown): value is AzurePagePosition {
  const { link, offset } = (value ?? {}) as Record<string, unknown>;
  return (
    (link === undefined || (typeof link === 'string' && link.startsWith('https://'))) &&
    Number.isSafeInteger(offset) &&
    (offset as number) >= 0
  );
}

/** The VM list's cursors: a cursor of another list or driver, or an edited one, is `INVALID_ARGUMENT` on `cursor`. */
export const azureVmCursors: CursorCodec<AzurePagePosition> = createCursorCodec({
  driver: 'azure',
  list: 'vms',
  isPosition,
});
