/**
 * Numbers of libvirt's remote RPC protocol, as laid down in libvirt's `src/remote/remote_protocol.x` and
 * `src/rpc/virnetprotocol.x`, and of the public API enums the procedures carry.
 */

/** The remote program (`REMOTE_PROGRAM`). */
export const REMOTE_PROGRAM = 0x20008086;
/** Its version. */
export const REMOTE_PROTOCOL_VERSION = 1;
/** The keepalive program (`KEEPALIVE_PROGRAM`, "keep"). */
export const KEEPALIVE_PROGRAM = 0x6b656570;
/** Keepalive procedures. */
export const KeepaliveProcedure = { PING: 1, PONG: 2 } as const;

/** Bytes of the length word plus the header (program, version, procedure, type, serial, status). */
export const HEADER_SIZE = 28;
/** libvirt's own upper bound on one message (`VIR_NET_MESSAGE_MAX`, 32 MiB). */
export const DEFAULT_MAX_FRAME_SIZE = 32 * 1024 * 1024;

/** `virNetMessageType`. */
export const MessageType = { CALL: 0, REPLY: 1, MESSAGE: 2, STREAM: 3 } as const;
/** `virNetMessageStatus`. */
export const MessageStatus = { OK: 0, ERROR: 1, CONTINUE: 2 } as const;

/** The procedures this client speaks (`remote_procedure`). */
export const Procedure = {
  CONNECT_OPEN: 1,
  CONNECT_CLOSE: 2,
  CONNECT_GET_TYPE: 3,
  NODE_GET_INFO: 6,
  CONNECT_GET_CAPABILITIES: 7,
  DOMAIN_GET_XML_DESC: 14,
  DOMAIN_GET_INFO: 16,
  DOMAIN_LOOKUP_BY_NAME: 23,
  DOMAIN_LOOKUP_BY_UUID: 24,
  DOMAIN_REBOOT: 27,
  DOMAIN_RESUME: 28,
  DOMAIN_SHUTDOWN: 33,
  DOMAIN_SUSPEND: 34,
  CONNECT_GET_HOSTNAME: 59,
  CONNECT_SUPPORTS_FEATURE: 60,
  STORAGE_POOL_LOOKUP_BY_NAME: 84,
  STORAGE_VOL_CREATE_XML: 93,
  STORAGE_VOL_DELETE: 94,
  STORAGE_VOL_LOOKUP_BY_NAME: 95,
  STORAGE_VOL_GET_PATH: 100,
  DOMAIN_ABORT_JOB: 164,
  DOMAIN_MIGRATE_SET_MAX_DOWNTIME: 166,
  DOMAIN_SNAPSHOT_CREATE_XML: 185,
  DOMAIN_SNAPSHOT_LOOKUP_BY_NAME: 189,
  DOMAIN_REVERT_TO_SNAPSHOT: 192,
  DOMAIN_SNAPSHOT_DELETE: 193,
  DOMAIN_CREATE_WITH_FLAGS: 196,
  DOMAIN_MIGRATE_SET_MAX_SPEED: 207,
  DOMAIN_GET_STATE: 212,
  NODE_GET_CPU_STATS: 227,
  NODE_GET_MEMORY_STATS: 228,
  DOMAIN_UNDEFINE_FLAGS: 231,
  DOMAIN_DESTROY_FLAGS: 234,
  DOMAIN_SET_METADATA: 264,
  CONNECT_LIST_ALL_DOMAINS: 273,
  DOMAIN_LIST_ALL_SNAPSHOTS: 274,
  DOMAIN_GET_JOB_STATS: 298,
  DOMAIN_MIGRATE_PERFORM3_PARAMS: 305,
  CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY: 316,
  CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY: 317,
  DOMAIN_EVENT_CALLBACK_LIFECYCLE: 318,
  CONNECT_GET_ALL_DOMAIN_STATS: 344,
  DOMAIN_DEFINE_XML_FLAGS: 350,
  DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION: 359,
  DOMAIN_EVENT_CALLBACK_JOB_COMPLETED: 363,
  DOMAIN_MIGRATE_START_POST_COPY: 364,
} as const;

/** `virDrvFeature` values the client asks about. */
export const DriverFeature = { PROGRAM_KEEPALIVE: 12 } as const;

/** `virDomainState`. */
export const DomainState = {
  NOSTATE: 0,
  RUNNING: 1,
  BLOCKED: 2,
  PAUSED: 3,
  SHUTDOWN: 4,
  SHUTOFF: 5,
  CRASHED: 6,
  PMSUSPENDED: 7,
} as const;

/** `virDomainEventID`. */
export const DomainEventId = { LIFECYCLE: 0, MIGRATION_ITERATION: 20, JOB_COMPLETED: 21 } as const;

/** `virDomainEventType` (lifecycle events). */
export const DomainLifecycleEvent = {
  DEFINED: 0,
  UNDEFINED: 1,
  STARTED: 2,
  SUSPENDED: 3,
  RESUMED: 4,
  STOPPED: 5,
  SHUTDOWN: 6,
  PMSUSPENDED: 7,
  CRASHED: 8,
} as const;

/** `virConnectListAllDomainsFlags`. */
export const ListDomainsFlag = {
  ACTIVE: 1,
  INACTIVE: 2,
  PERSISTENT: 4,
  TRANSIENT: 8,
  RUNNING: 16,
  PAUSED: 32,
  SHUTOFF: 64,
  OTHER: 128,
} as const;

/** `virDomainStatsTypes`; 0 asks for every group. */
export const DomainStatsGroup = {
  STATE: 1,
  CPU_TOTAL: 2,
  BALLOON: 4,
  VCPU: 8,
  INTERFACE: 16,
  BLOCK: 32,
} as const;

/** `virDomainMigrateFlags`. */
export const MigrateFlag = {
  LIVE: 1,
  PEER2PEER: 2,
  TUNNELLED: 4,
  PERSIST_DEST: 8,
  UNDEFINE_SOURCE: 16,
  PAUSED: 32,
  NON_SHARED_DISK: 64,
  ABORT_ON_ERROR: 4096,
  AUTO_CONVERGE: 8192,
  POSTCOPY: 32768,
} as const;

/** `virDomainJobType`. */
export const JobType = { NONE: 0, BOUNDED: 1, UNBOUNDED: 2, COMPLETED: 3, FAILED: 4, CANCELLED: 5 } as const;

/** `virDomainGetJobStatsFlags`. */
export const JobStatsFlag = { COMPLETED: 1, KEEP_COMPLETED: 2 } as const;

/** `virDomainUndefineFlagsValues`. */
export const UndefineFlag = {
  MANAGED_SAVE: 1,
  SNAPSHOTS_METADATA: 2,
  NVRAM: 4,
  CHECKPOINTS_METADATA: 16,
} as const;

/** `virDomainMetadataType`: what `virDomainSetMetadata` sets. */
export const DomainMetadataType = { DESCRIPTION: 0, TITLE: 1, ELEMENT: 2 } as const;

/**
 * `virDomainModificationImpact`: which definition a change applies to. `CURRENT` is the live one of a running
 * domain and the persistent one of a shut-off domain; `LIVE` fails on a shut-off domain (operation invalid).
 */
export const DomainModificationImpact = { CURRENT: 0, LIVE: 1, CONFIG: 2 } as const;

/** `virTypedParameterType`. */
export const TypedParamType = {
  INT: 1,
  UINT: 2,
  LLONG: 3,
  ULLONG: 4,
  DOUBLE: 5,
  BOOLEAN: 6,
  STRING: 7,
} as const;
