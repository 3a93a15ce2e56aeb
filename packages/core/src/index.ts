// The public surface of @novacron/core, named one by one: the model, the driver contract and its toolkit, the client,
// the pipeline's extension points, errors, events, waiters, paginators and state stores. Machinery behind the client
// (the operation runner, the VM-state tracker, the middleware factories, the migration orchestrator and saga runner)
// is internal: add a name here only when it is documented for users. Classes users never construct (the client's
// `VmsApi`, `FanOutListing`, `EventBus`, `Migration`) are exported as types.
export type { FromProvider } from './client/catalog-api.js';
export {
  type ClientLimits,
  createNovaCron,
  type NovaCron,
  type NovaCronOptions,
  type ProviderByKind,
  type ProviderDriver,
  type ProviderDrivers,
  type ProviderMap,
  type ProviderName,
} from './client/create-novacron.js';
export type { DriverClient, DriverView } from './client/driver-view.js';
export type { FanOutListing, PartialFailureMode, ProviderFailure } from './client/fan-out.js';
export type { ListOptions } from './client/list-options.js';
export type {
  ApplyPlacementOptions,
  PlacedVm,
  PlacementApi,
  PlacementApplyResult,
  PlacementVmSpec,
  PlanPlacementRequest,
} from './client/placement-api.js';
export type {
  CallOptions,
  CreateFailureCause,
  CreateManyOptions,
  CreateManyResult,
  CreateVmRequest,
  ListVmsOptions,
  StopVmOptions,
  VmsApi,
  WatchVmsOptions,
} from './client/vms-api.js';
export type { VmStateChange } from './client/watch-vms.js';
export { DriverBase } from './driver/driver-base.js';
export {
  DEFAULT_CAPABILITIES,
  type DriverCapabilities,
  defineCapabilities,
} from './driver/driver-capabilities.js';
export type {
  DriverCallContext,
  DriverCreateContext,
  DriverEvent,
  DriverMigrateContext,
  DriverMigrateRequest,
  DriverStopOptions,
  DriverV1,
  ListVmsRequest,
} from './driver/driver-v1.js';
export type { Page, PageRequest } from './driver/page.js';
export { RuntimeDriver } from './driver/runtime-driver.js';
export { ERROR_CODES, type ErrorCode, RETRYABLE_BY_DEFAULT } from './errors/error-codes.js';
export { NovaCronError, type NovaCronErrorOptions } from './errors/novacron-error.js';
export { isAbortError, toNovaCronError } from './errors/to-novacron-error.js';
export type { EventBus } from './events/event-bus.js';
export type {
  NovaCronEventName,
  NovaCronEvents,
  OperationEventBase,
} from './events/novacron-events.js';
export type { Migration, MigrationHandleEvents } from './migration/migration-handle.js';
export type { StartMigrationRequest } from './migration/migration-orchestrator.js';
export type {
  ExecutedMoveStatus,
  ExecuteMigrationPlanOptions,
  MigrationExecutionProgress,
  MigrationExecutionResult,
  MigrationExecutionTotals,
} from './migration/plan-executor.js';
export type { Image, Location, Size } from './model/catalog.js';
export type { Host, HostState } from './model/host.js';
export type { MetricName, MetricSeries, MetricsQuery } from './model/metrics.js';
export {
  type MigrationMode,
  type MigrationOutcome,
  type MigrationPhase,
  type MigrationPlan,
  type MigrationPolicy,
  type MigrationProgress,
  type MigrationRecord,
  type MigrationStepRecord,
  type PlannedMove,
  TERMINAL_MIGRATION_PHASES,
} from './model/migration.js';
export type {
  PlacementAssignment,
  PlacementDemand,
  PlacementFleet,
  PlacementFleetVm,
  PlacementHost,
  PlacementHostSnapshot,
  PlacementObjective,
  PlacementPlan,
  PlacementReason,
  PlacementRejection,
  PlacementRequest,
  PlacementStrategy,
  UnplacedDemand,
} from './model/placement.js';
export {
  addResources,
  type FullResources,
  fullResources,
  RESOURCE_DIMENSIONS,
  type ResourceDimension,
  type Resources,
  resourcesFit,
  subtractResources,
} from './model/resources.js';
export {
  type CreateVmSpec,
  formatVmRef,
  type ProviderVm,
  parseVmRef,
  VM_STATE_NAMES,
  type Vm,
  type VmAddresses,
  type VmFilter,
  type VmLocation,
  type VmNetworkInterface,
  type VmRef,
  type VmState,
  type VmStateName,
} from './model/vm.js';
export { paginate } from './paginators/paginate.js';
export { paginateVms, type VmListSource } from './paginators/paginate-vms.js';
export type {
  LimitsOptions,
  ProviderLimits,
  ResolvedLimits,
  RetryLimits,
} from './pipeline/limits.js';
export { type MiddlewarePosition, MiddlewareStack } from './pipeline/middleware-stack.js';
export type { Middleware, Next, Operation } from './pipeline/operation.js';
export { ExponentialBackoffStrategy, type RetryStrategy } from './pipeline/retry-strategy.js';
export {
  noopTracer,
  type Span,
  type SpanAttributes,
  type SpanRetry,
  type Tracer,
} from './pipeline/tracer.js';
export { PLACEMENT_TAGS } from './placement/placement-tags.js';
export type { Placer, PlacerCheck, PlacerViolation } from './placement/placer.js';
export {
  type DriverRegistration,
  type NovaCronPlugin,
  PluginRegistry,
  SUPPORTED_SPECIFICATION_VERSIONS,
} from './registry/plugin-registry.js';
export { FileStateStore } from './store/file-state-store.js';
export { MemoryStateStore } from './store/memory-state-store.js';
export type {
  Fence,
  Lease,
  StateStore,
  StoreChange,
  StoredEntry,
  StoreWriteOptions,
} from './store/state-store.js';
export { sleep } from './util/abort.js';
export { createWaiter, type WaiterCheck, type WaiterOptions } from './waiters/create-waiter.js';
export {
  type VmStateSource,
  type WaitUntilVmStateOptions,
  waitUntilVmState,
} from './waiters/wait-until-vm-state.js';
