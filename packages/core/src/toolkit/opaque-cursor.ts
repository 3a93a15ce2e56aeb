import { NovaCronError } from '../errors/novacron-error.js';

/** Turns a driver's list position into the opaque cursor callers hand back, and reads it back. */
export interface CursorCodec<TPosition> {
  /** The cursor for `position`. */
  encode(position: TPosition): string;
  /**
   * The position in `cursor`; `undefined` for no cursor (the first page).
   *
   * @throws NovaCronError `INVALID_ARGUMENT` (field `cursor`) for a cursor this codec did not make.
   */
  decode(cursor: string | undefined): TPosition | undefined;
}

/** Options of {@link createCursorCodec}. */
export interface CursorCodecOptions<TPosition> {
  /** The driver kind, named in the error for a foreign cursor. */
  driver: string;
  /** Which list the cursors belong to (`vms`, `sizes`): a cursor of another list is refused, not misread. */
  list: string;
  /** Checks a decoded position's shape; a position it refuses makes the cursor foreign. */
  isPosition(value: unknown): value is TPosition;
}

/**
 * Makes the cursor codec of one list of one driver: base64url JSON of `{ driver, list, position }`. A cursor made by
 * another driver, for another list, or edited by hand is one `INVALID_ARGUMENT` error that says what to do.
 *
 * @example
 * const cursors = createCursorCodec({ driver: 'hetzner', list: 'vms',
 *   isPosition: (value): value is { page: number } => typeof (value as { page?: unknown })?.page === 'number' });
 * const next = cursors.encode({ page: 2 });
 * cursors.decode(next); // { page: 2 }
 */
export function createCursorCodec<TPosition>(options: CursorCodecOptions<TPosition>): CursorCodec<TPosition> {
  const { driver, list, isPosition } = options;
  const foreign = (cursor: string): NovaCronError =>
    new NovaCronError({
      code: 'INVALID_ARGUMENT',
      field: 'cursor',
      message: `The cursor '${cursor.length > 40 ? `${cursor.slice(0, 40)}...` : cursor}' is not a ${list} cursor of the ${driver} driver. Pass back the nextCursor of the previous ${list} page unchanged, or leave it out to start from the first page.`,
    });
  return {
    encode: (position) =>
      Buffer.from(JSON.stringify({ d: driver, l: list, p: position }), 'utf8').toString('base64url'),
    decode(cursor) {
      if (cursor === undefined) return undefined;
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        throw foreign(cursor);
      }
      if (typeof decoded !== 'object' || decoded === null) throw foreign(cursor);
      const { d, l, p } = decoded as { d?: unknown; l?: unknown; p?: unknown };
      if (d !== driver || l !== list || !isPosition(p)) throw foreign(cursor);
      return p;
    },
  };
}
