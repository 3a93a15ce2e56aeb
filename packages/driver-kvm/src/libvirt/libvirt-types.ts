import { TypedParamType } from './libvirt-protocol.js';
import type { XdrReader } from './xdr-reader.js';
import type { XdrWriter } from './xdr-writer.js';

/** A domain as the protocol names it (`remote_nonnull_domain`): name, 16-byte UUID and id (-1 when not running). */
export interface DomainRef {
  /** The domain's name. */
  name: string;
  /** The 16 raw UUID bytes. */
  uuid: Buffer;
  /** The running id, or -1. */
  id: number;
}

/** A snapshot (`remote_nonnull_domain_snapshot`). */
export interface SnapshotRef {
  /** The snapshot's name. */
  name: string;
  /** Its domain. */
  domain: DomainRef;
}

/** A storage pool (`remote_nonnull_storage_pool`). */
export interface StoragePoolRef {
  /** The pool's name. */
  name: string;
  /** The 16 raw UUID bytes. */
  uuid: Buffer;
}

/** A storage volume (`remote_nonnull_storage_vol`). */
export interface StorageVolumeRef {
  /** The pool's name. */
  pool: string;
  /** The volume's name. */
  name: string;
  /** The volume's key (usually its path). */
  key: string;
}

/** A typed parameter value: numbers for 32-bit ints and doubles, bigints for 64-bit ints. */
export type TypedParamValue = number | bigint | boolean | string;

/** A typed parameter as libvirt sends it (`virTypedParameter`). */
export interface TypedParam {
  /** The field name (`cpu.time`). */
  field: string;
  /** The value. */
  value: TypedParamValue;
}

/** A typed parameter to send, with its wire type spelled out. */
export type TypedParamInput =
  | { field: string; type: 'int' | 'uint' | 'double'; value: number }
  | { field: string; type: 'llong' | 'ullong'; value: bigint }
  | { field: string; type: 'boolean'; value: boolean }
  | { field: string; type: 'string'; value: string };

/** Formats 16 UUID bytes as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
export function formatUuid(uuid: Uint8Array): string {
  const hex = Buffer.from(uuid).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Parses `xxxxxxxx-xxxx-...` into 16 bytes; throws `TypeError` on anything else. */
export function parseUuid(uuid: string): Buffer {
  const hex = uuid.replaceAll('-', '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new TypeError(`"${uuid}" is not a UUID.`);
  return Buffer.from(hex, 'hex');
}

/** Writes a `remote_nonnull_domain`. */
export function writeDomain(writer: XdrWriter, domain: DomainRef): XdrWriter {
  return writer.string(domain.name).fixedOpaque(domain.uuid).int(domain.id);
}

/** Reads a `remote_nonnull_domain`. */
export function readDomain(reader: XdrReader): DomainRef {
  return { name: reader.string(), uuid: reader.fixedOpaque(16), id: reader.int() };
}

/** Reads a `remote_nonnull_domain_snapshot`. */
export function readSnapshot(reader: XdrReader): SnapshotRef {
  return { name: reader.string(), domain: readDomain(reader) };
}

/** Writes a `remote_nonnull_domain_snapshot`. */
export function writeSnapshot(writer: XdrWriter, snapshot: SnapshotRef): XdrWriter {
  writer.string(snapshot.name);
  return writeDomain(writer, snapshot.domain);
}

/** Reads a `remote_typed_param`. */
export function readTypedParam(reader: XdrReader): TypedParam {
  const field = reader.string();
  const type = reader.int();
  switch (type) {
    case TypedParamType.INT:
      return { field, value: reader.int() };
    case TypedParamType.UINT:
      return { field, value: reader.uint() };
    case TypedParamType.LLONG:
      return { field, value: reader.hyper() };
    case TypedParamType.ULLONG:
      return { field, value: reader.unsignedHyper() };
    case TypedParamType.DOUBLE:
      return { field, value: reader.double() };
    case TypedParamType.BOOLEAN:
      return { field, value: reader.bool() };
    case TypedParamType.STRING:
      return { field, value: reader.string() };
    default:
      throw new TypeError(`Unknown typed parameter type ${type} for field "${field}".`);
  }
}

/** Reads a list of typed parameters into a plain record. */
export function readTypedParams(reader: XdrReader): Record<string, TypedParamValue> {
  const record: Record<string, TypedParamValue> = {};
  for (const param of reader.array(readTypedParam)) record[param.field] = param.value;
  return record;
}

/** Writes a `remote_typed_param`. */
export function writeTypedParam(writer: XdrWriter, param: TypedParamInput): XdrWriter {
  writer.string(param.field);
  switch (param.type) {
    case 'int':
      return writer.int(TypedParamType.INT).int(param.value);
    case 'uint':
      return writer.int(TypedParamType.UINT).uint(param.value);
    case 'llong':
      return writer.int(TypedParamType.LLONG).hyper(param.value);
    case 'ullong':
      return writer.int(TypedParamType.ULLONG).unsignedHyper(param.value);
    case 'double':
      return writer.int(TypedParamType.DOUBLE).double(param.value);
    case 'boolean':
      return writer.int(TypedParamType.BOOLEAN).bool(param.value);
    case 'string':
      return writer.int(TypedParamType.STRING).string(param.value);
  }
}

/** Converts a typed parameter value to a number (bigints above 2^53 lose precision, which metrics tolerate). */
export function toNumber(value: TypedParamValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}
