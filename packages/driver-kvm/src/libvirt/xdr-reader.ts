import { LibvirtProtocolError } from './libvirt-error.js';

/** The longest string libvirt sends (`REMOTE_STRING_MAX`, 4 MiB). */
const STRING_MAX = 4 * 1024 * 1024;

/**
 * Reads XDR (RFC 4506) values from a buffer. Every read is bounds-checked: a truncated or lying message throws a
 * {@link LibvirtProtocolError} instead of reading garbage.
 *
 * @example
 * const reader = new XdrReader(body);
 * const name = reader.string();
 */
export class XdrReader {
  /** The read position in bytes. */
  offset: number;

  constructor(
    private readonly buffer: Buffer,
    offset = 0,
  ) {
    this.offset = offset;
  }

  private take(size: number, what: string): number {
    const start = this.offset;
    if (size < 0 || start + size > this.buffer.length) {
      throw new LibvirtProtocolError(
        `Malformed libvirt message: ${what} needs ${size} bytes at offset ${start} but the message has ${this.buffer.length}.`,
      );
    }
    this.offset = start + size;
    return start;
  }

  /** A signed 32-bit integer. */
  int(): number {
    return this.buffer.readInt32BE(this.take(4, 'int'));
  }

  /** An unsigned 32-bit integer. */
  uint(): number {
    return this.buffer.readUInt32BE(this.take(4, 'unsigned int'));
  }

  /** A signed 64-bit integer. */
  hyper(): bigint {
    return this.buffer.readBigInt64BE(this.take(8, 'hyper'));
  }

  /** An unsigned 64-bit integer. */
  unsignedHyper(): bigint {
    return this.buffer.readBigUInt64BE(this.take(8, 'unsigned hyper'));
  }

  /** A double. */
  double(): number {
    return this.buffer.readDoubleBE(this.take(8, 'double'));
  }

  /** An `int` read as a boolean. */
  bool(): boolean {
    return this.int() !== 0;
  }

  /** A UTF-8 string of at most `maxLength` bytes (default 4 MiB, libvirt's limit). */
  string(maxLength = STRING_MAX): string {
    const length = this.uint();
    if (length > maxLength) {
      throw new LibvirtProtocolError(
        `Malformed libvirt message: a string claims ${length} bytes, over the ${maxLength}-byte limit.`,
      );
    }
    const start = this.take(length + ((4 - (length % 4)) % 4), 'string');
    return this.buffer.toString('utf8', start, start + length);
  }

  /** An optional string (`remote_string`). */
  optionalString(): string | null {
    return this.uint() === 0 ? null : this.string();
  }

  /** A variable-length opaque of at most `maxLength` bytes. */
  opaque(maxLength = STRING_MAX): Buffer {
    const length = this.uint();
    if (length > maxLength) {
      throw new LibvirtProtocolError(
        `Malformed libvirt message: an opaque claims ${length} bytes, over the ${maxLength}-byte limit.`,
      );
    }
    return this.fixedOpaque(length);
  }

  /** A fixed-length opaque (a copy). */
  fixedOpaque(length: number): Buffer {
    const start = this.take(length + ((4 - (length % 4)) % 4), 'opaque');
    return Buffer.from(this.buffer.subarray(start, start + length));
  }

  /** A variable-length array of at most `maxItems` items, each read by `readItem`. */
  array<T>(readItem: (reader: this) => T, maxItems = 1 << 20): T[] {
    const count = this.uint();
    if (count > maxItems) {
      throw new LibvirtProtocolError(
        `Malformed libvirt message: an array claims ${count} items, over the ${maxItems}-item limit.`,
      );
    }
    // Each item takes at least 4 bytes: refuse counts the message cannot hold before allocating.
    if (count * 4 > this.remaining) {
      throw new LibvirtProtocolError(
        `Malformed libvirt message: an array claims ${count} items but only ${this.remaining} bytes remain.`,
      );
    }
    const items: T[] = new Array(count);
    for (let index = 0; index < count; index += 1) items[index] = readItem(this);
    return items;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.buffer.length - this.offset;
  }
}
