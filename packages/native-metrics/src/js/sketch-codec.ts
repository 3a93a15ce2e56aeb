import { DenseStore } from './dense-store.js';
import { MIN_RELATIVE_ACCURACY } from './log-mapping.js';

/** Version of the byte format (`NCSK` magic, version byte, checksum trailer); 2 = table-driven bins. */
export const SKETCH_FORMAT_VERSION = 2;
const HEADER_LENGTH = 48;
const MAX_COUNT = 2 ** 53;

/** Fields of a serialised sketch. */
export interface SketchFields {
  relativeAccuracy: number;
  sum: number;
  sumCompensation: number;
  min: number;
  max: number;
  count: number;
  zeroCount: number;
  positive: DenseStore;
  negative: DenseStore;
}

let crcTable: Uint32Array | undefined;

/**
 * CRC-32 (IEEE 802.3) of `bytes`, the same as `crc32` in `src/sketch.rs`.
 *
 * @example crc32(new TextEncoder().encode('123456789')); // 0xcbf43926
 */
export function crc32(bytes: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let index = 0; index < 256; index += 1) {
      let value = index;
      for (let bit = 0; bit < 8; bit += 1) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
      crcTable[index] = value >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

class ByteWriter {
  bytes = new Uint8Array(256);
  length = 0;

  reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const bytes = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    bytes.set(this.bytes.subarray(0, this.length));
    this.bytes = bytes;
  }

  push(byte: number): void {
    this.reserve(1);
    this.bytes[this.length] = byte;
    this.length += 1;
  }

  float(value: number): void {
    this.reserve(8);
    new DataView(this.bytes.buffer).setFloat64(this.length, value, true);
    this.length += 8;
  }

  /** LEB128 of a non-negative integer below 2^53. */
  varint(value: number): void {
    while (value >= 0x80) {
      this.push((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    this.push(value);
  }

  store(store: DenseStore): void {
    const range = store.nonZeroRange();
    if (range === undefined) {
      this.varint(0);
      return;
    }
    const [first, last] = range;
    this.varint(last - first + 1);
    const key = store.offset + first;
    this.varint(key >= 0 ? 2 * key : -2 * key - 1);
    for (let position = first; position <= last; position += 1) this.varint(store.counts[position]!);
  }
}

/**
 * Writes the versioned byte form of a sketch (identical to the native `to_bytes`).
 *
 * @example encodeSketch(fields).subarray(0, 4); // 'NCSK'
 */
export function encodeSketch(fields: SketchFields): Uint8Array {
  const writer = new ByteWriter();
  for (const byte of [0x4e, 0x43, 0x53, 0x4b, SKETCH_FORMAT_VERSION, 0, 0, 0]) writer.push(byte);
  for (const value of [fields.relativeAccuracy, fields.sum, fields.sumCompensation, fields.min, fields.max]) {
    writer.float(value);
  }
  writer.varint(fields.count);
  writer.varint(fields.zeroCount);
  writer.store(fields.positive);
  writer.store(fields.negative);
  const checksum = crc32(writer.bytes.subarray(0, writer.length));
  writer.reserve(4);
  new DataView(writer.bytes.buffer).setUint32(writer.length, checksum, true);
  writer.length += 4;
  return writer.bytes.slice(0, writer.length);
}

function corrupt(what: string): Error {
  return new Error(
    `Sketch.fromBytes: ${what}. The bytes are not a sketch written by Sketch.toBytes (truncated or corrupted).`,
  );
}

class ByteReader {
  position = HEADER_LENGTH;
  constructor(readonly bytes: Uint8Array) {}

  /** LEB128 value of at most 2^53, or undefined. */
  varint(): number | undefined {
    let value = 0;
    for (let shift = 0; shift < 56; shift += 7) {
      const byte = this.bytes[this.position];
      if (byte === undefined) return undefined;
      this.position += 1;
      const part = byte & 0x7f;
      if (shift === 49 && (part > 16 || (part === 16 && value !== 0))) return undefined;
      value += part * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    return undefined;
  }

  store(): DenseStore | undefined {
    const length = this.varint();
    if (length === undefined) return undefined;
    const store = new DenseStore();
    if (length === 0) return store;
    if (length > this.bytes.length - this.position) return undefined;
    const zigzag = this.varint();
    if (zigzag === undefined) return undefined;
    const key = zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
    if (key < -(2 ** 31) || key + length - 1 > 2 ** 31 - 1) return undefined;
    const counts = new Float64Array(length);
    for (let position = 0; position < length; position += 1) {
      const count = this.varint();
      if (count === undefined) return undefined;
      counts[position] = count;
    }
    if (counts[0] === 0 || counts[length - 1] === 0) return undefined;
    store.offset = key;
    store.counts = counts;
    return store;
  }
}

/**
 * Decodes and checks a serialised sketch; throws an `Error` saying what is wrong.
 *
 * @example decodeSketch(sketch.toBytes()).count;
 */
export function decodeSketch(bytes: Uint8Array): SketchFields {
  if (bytes.length < HEADER_LENGTH + 8) {
    throw corrupt(`only ${bytes.length} bytes, a sketch has at least ${HEADER_LENGTH + 8}`);
  }
  if (bytes[0] !== 0x4e || bytes[1] !== 0x43 || bytes[2] !== 0x53 || bytes[3] !== 0x4b) {
    throw corrupt('missing the NCSK magic');
  }
  if (bytes[4] === 1) {
    throw new Error(
      'Sketch.fromBytes: format version 1 (the cubic bin mapping of earlier builds) cannot be read by this build, which reads version 2 (a table-driven bin mapping with different bins); re-create the sketch from its samples.',
    );
  }
  if (bytes[4] !== SKETCH_FORMAT_VERSION) {
    throw new Error(
      `Sketch.fromBytes: format version ${bytes[4]} is not supported (this build reads version ${SKETCH_FORMAT_VERSION}). Upgrade @novacron/native-metrics.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bodyLength = bytes.length - 4;
  if (crc32(bytes.subarray(0, bodyLength)) !== view.getUint32(bodyLength, true)) {
    throw corrupt('checksum mismatch');
  }
  const relativeAccuracy = view.getFloat64(8, true);
  if (
    !(Number.isFinite(relativeAccuracy) && relativeAccuracy >= MIN_RELATIVE_ACCURACY && relativeAccuracy < 1)
  ) {
    throw corrupt('invalid relative accuracy');
  }
  const reader = new ByteReader(bytes.subarray(0, bodyLength));
  const count = reader.varint();
  if (count === undefined) throw corrupt('bad count');
  const zeroCount = reader.varint();
  if (zeroCount === undefined) throw corrupt('bad zero count');
  const positive = reader.store();
  if (positive === undefined) throw corrupt('bad positive bins');
  const negative = reader.store();
  if (negative === undefined) throw corrupt('bad negative bins');
  if (reader.position !== bodyLength) throw corrupt('trailing bytes');
  const total = zeroCount + positive.total() + negative.total();
  if (total !== count || count > MAX_COUNT) throw corrupt('bin counts do not add up to the count');
  const fields: SketchFields = {
    relativeAccuracy,
    sum: view.getFloat64(16, true),
    sumCompensation: view.getFloat64(24, true),
    min: view.getFloat64(32, true),
    max: view.getFloat64(40, true),
    count,
    zeroCount,
    positive,
    negative,
  };
  const consistent =
    count === 0
      ? fields.min === Number.POSITIVE_INFINITY &&
        fields.max === Number.NEGATIVE_INFINITY &&
        fields.sum === 0 &&
        fields.sumCompensation === 0
      : // The sum may have overflowed to a non-finite value; min and max cannot.
        Number.isFinite(fields.min) && Number.isFinite(fields.max) && fields.min <= fields.max;
  if (!consistent) throw corrupt('inconsistent min, max or sum');
  return fields;
}
