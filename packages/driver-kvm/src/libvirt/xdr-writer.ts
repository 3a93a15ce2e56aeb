/**
 * Builds an XDR (RFC 4506) byte string: big-endian 4-byte units, strings and variable opaques length-prefixed and
 * padded to a multiple of 4.
 *
 * @example
 * const body = new XdrWriter().string('web-1').uint(0).toBuffer();
 */
export class XdrWriter {
  private chunks: Buffer[] = [];
  private length = 0;

  private push(chunk: Buffer): this {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return this;
  }

  /** A signed 32-bit integer. */
  int(value: number): this {
    const chunk = Buffer.allocUnsafe(4);
    chunk.writeInt32BE(value);
    return this.push(chunk);
  }

  /** An unsigned 32-bit integer. */
  uint(value: number): this {
    const chunk = Buffer.allocUnsafe(4);
    chunk.writeUInt32BE(value >>> 0);
    return this.push(chunk);
  }

  /** A signed 64-bit integer (`hyper`). */
  hyper(value: bigint): this {
    const chunk = Buffer.allocUnsafe(8);
    chunk.writeBigInt64BE(value);
    return this.push(chunk);
  }

  /** An unsigned 64-bit integer (`unsigned hyper`). */
  unsignedHyper(value: bigint): this {
    const chunk = Buffer.allocUnsafe(8);
    chunk.writeBigUInt64BE(value);
    return this.push(chunk);
  }

  /** A double. */
  double(value: number): this {
    const chunk = Buffer.allocUnsafe(8);
    chunk.writeDoubleBE(value);
    return this.push(chunk);
  }

  /** A boolean as an `int` (libvirt's convention). */
  bool(value: boolean): this {
    return this.int(value ? 1 : 0);
  }

  /** A UTF-8 string: length, bytes, padding. */
  string(value: string): this {
    return this.opaque(Buffer.from(value, 'utf8'));
  }

  /** An optional string (`remote_string`): a 0/1 discriminant, then the string when present. */
  optionalString(value: string | null | undefined): this {
    return value === null || value === undefined ? this.uint(0) : this.uint(1).string(value);
  }

  /** A variable-length opaque: length, bytes, padding. */
  opaque(value: Uint8Array): this {
    this.uint(value.length);
    return this.fixedOpaque(value);
  }

  /** A fixed-length opaque (UUIDs): bytes and padding, no length. */
  fixedOpaque(value: Uint8Array): this {
    this.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    const padding = (4 - (value.length % 4)) % 4;
    return padding === 0 ? this : this.push(Buffer.alloc(padding));
  }

  /** A variable-length array: count, then each item written by `writeItem`. */
  array<T>(items: readonly T[], writeItem: (writer: this, item: T) => void): this {
    this.uint(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  /** Bytes written so far. */
  get byteLength(): number {
    return this.length;
  }

  /** The encoded bytes. */
  toBuffer(): Buffer {
    return this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.length);
  }
}
