/** One page of a list, with an opaque cursor to the next one (absent on the last page). */
export interface Page<T> {
  /** The items on this page. */
  items: T[];
  /** Pass back as `cursor` to get the next page; absent when this is the last page. */
  nextCursor?: string;
}

/** Paging arguments every `doList*` method receives. */
export interface PageRequest {
  /** The cursor from the previous page; absent for the first page. */
  cursor?: string;
  /** How many items the caller would like; the driver may return fewer (never more than its `maxPageSize`). */
  pageSize?: number;
}
