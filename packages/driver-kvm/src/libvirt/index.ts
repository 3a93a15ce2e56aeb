// The `@novacron/driver-kvm/libvirt` entry: libvirt's remote RPC protocol from TypeScript, usable without the driver:
// the client, its errors and types, and the protocol toolkit under it (XDR codec, framing, RPC connection, transports,
// URIs, protocol constants) for procedures the client does not wrap.
export { LibvirtClient } from './libvirt-client.js';
export type { LibvirtClientOptions } from './libvirt-connection-keeper.js';
export type {
  JobCompletedEvent,
  LifecycleEvent,
  MigrationIterationEvent,
} from './libvirt-domain-events.js';
export type { DomainMetadataInput } from './libvirt-domain-metadata-procedures.js';
export type { DomainInfo, DomainStatsRecord } from './libvirt-domain-query-procedures.js';
export { domainStateName, domainStateReasonName, lifecycleEventName } from './libvirt-domain-state.js';
export {
  LibvirtConnectionError,
  LibvirtError,
  LibvirtErrorCode,
  type LibvirtErrorDetails,
  LibvirtProtocolError,
} from './libvirt-error.js';
export { encodeFrame, type LibvirtFrame, LibvirtFrameDecoder } from './libvirt-frame-decoder.js';
export type { DomainJobStats, MigrateOptions } from './libvirt-migration-procedures.js';
export type { NodeInfo } from './libvirt-node-procedures.js';
export {
  DEFAULT_MAX_FRAME_SIZE,
  DomainEventId,
  DomainLifecycleEvent,
  DomainMetadataType,
  DomainModificationImpact,
  DomainState,
  DomainStatsGroup,
  DriverFeature,
  HEADER_SIZE,
  JobStatsFlag,
  JobType,
  KEEPALIVE_PROGRAM,
  KeepaliveProcedure,
  ListDomainsFlag,
  MessageStatus,
  MessageType,
  MigrateFlag,
  Procedure,
  REMOTE_PROGRAM,
  REMOTE_PROTOCOL_VERSION,
  TypedParamType,
  UndefineFlag,
} from './libvirt-protocol.js';
export { LibvirtRpcConnection, type LibvirtRpcConnectionOptions } from './libvirt-rpc-connection.js';
export {
  type LibvirtSshOptions,
  type LibvirtTlsOptions,
  type LibvirtTransportOptions,
  openLibvirtTransport,
} from './libvirt-transport.js';
export {
  type DomainRef,
  formatUuid,
  parseUuid,
  readDomain,
  readSnapshot,
  readTypedParam,
  readTypedParams,
  type SnapshotRef,
  type StoragePoolRef,
  type StorageVolumeRef,
  type TypedParam,
  type TypedParamInput,
  type TypedParamValue,
  toNumber,
  writeDomain,
  writeSnapshot,
  writeTypedParam,
} from './libvirt-types.js';
export { type LibvirtTransportKind, type ParsedLibvirtUri, parseLibvirtUri } from './libvirt-uri.js';
export { XdrReader } from './xdr-reader.js';
export { XdrWriter } from './xdr-writer.js';
