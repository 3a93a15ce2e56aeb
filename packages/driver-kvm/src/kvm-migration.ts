import {
  type MigrationOutcome,
  type MigrationPolicy,
  type MigrationProgress,
  NovaCronError,
} from '@novacron/core';
import { sleep } from '@novacron/core/driver';
import { libvirtCause, toKvmError } from './kvm-error-map.js';
import {
  type DomainRef,
  JobStatsFlag,
  JobType,
  type LibvirtClient,
  type TypedParamValue,
  toNumber,
} from './libvirt/index.js';

/** One end of a migration. */
export interface KvmMigrationEndpoint {
  /** Host id. */
  hostId: string;
  /** That host's client. */
  client: LibvirtClient;
  /** The URI the source daemon opens to reach the destination daemon. */
  migrationUri: string;
  /** Where qemu sends memory, if set. */
  migrationDataUri?: string | undefined;
}

/** What {@link runLiveMigration} needs. */
export interface LiveMigrationRequest {
  /** The domain on the source. */
  domain: DomainRef;
  /** Source host. */
  source: KvmMigrationEndpoint;
  /** Destination host. */
  destination: KvmMigrationEndpoint;
  /** Policy (bandwidth, downtime, completion timeout, auto-converge). */
  policy: MigrationPolicy;
  /** Job statistics poll interval in ms. */
  progressIntervalMs: number;
  /** Aborts the migration (libvirt abort job); the VM keeps running on the source. */
  signal: AbortSignal;
  /** Progress sink. */
  onProgress(progress: MigrationProgress): void;
}

function progressFrom(stats: Record<string, TypedParamValue>, iteration: number): MigrationProgress {
  const number = (field: string): number | undefined => toNumber(stats[field]);
  const remaining = number('data_remaining') ?? 0;
  const processed = number('data_processed') ?? 0;
  // Before the first byte moves, libvirt is still starting the destination qemu.
  const phase = processed === 0 ? 'preparing' : remaining === 0 ? 'switching-over' : 'transferring';
  const progress: MigrationProgress = {
    phase,
    bytesProcessed: processed,
    bytesRemaining: remaining,
    bytesTotal: number('data_total') ?? 0,
    iteration: Math.max(iteration, number('memory_iteration') ?? 0, 1),
  };
  const dirtyPages = number('memory_dirty_rate');
  if (dirtyPages !== undefined)
    progress.dirtyRateBytesPerSecond = dirtyPages * (number('memory_page_size') ?? 4096);
  const downtime = number('downtime');
  if (downtime !== undefined) progress.downtimeMs = downtime;
  return progress;
}

/**
 * Live-migrates one domain peer-to-peer (the source daemon drives it), reporting progress from job statistics and
 * migration-iteration events, applying the policy (bandwidth, max downtime, auto-converge, completion timeout with
 * abort or post-copy) and aborting the libvirt job when `signal` fires. Resolves with the outcome read from the
 * destination's completed job statistics.
 */
export async function runLiveMigration(request: LiveMigrationRequest): Promise<MigrationOutcome> {
  const { domain, source, destination, policy } = request;
  const action = `live-migrate VM ${domain.name} from host '${source.hostId}' to host '${destination.hostId}'`;
  let iteration = 0;
  let stopReason: 'cancelled' | 'timeout' | undefined;
  const stopIterations = await source.client.onDomainEvent('migration-iteration', (event) => {
    if (event.domain.name === domain.name) iteration = Math.max(iteration, event.iteration);
  });
  let downtimePending = false;
  if (policy.maxDowntimeMs !== undefined) {
    // qemu takes the downtime limit before the migration starts; some versions only during it.
    await source.client.migrateSetMaxDowntime(domain, policy.maxDowntimeMs, request.signal).catch(() => {
      downtimePending = true;
    });
  }
  let settled = false;
  // Not given the signal: a fired signal aborts the libvirt job (below) and the migration's own answer is awaited,
  // so the caller learns where the VM ended up; the job's calls go unsignalled for the same reason.
  const perform = source.client
    .migrateToUri(domain, destination.migrationUri, {
      bandwidthMiBps: policy.bandwidthMiBps,
      migrateUri: destination.migrationDataUri,
      autoConverge: policy.autoConverge,
      postCopy: policy.onTimeout === 'postcopy',
    })
    .finally(() => {
      settled = true;
    });
  let aborted = false;
  const tryAbort = (): Promise<void> =>
    source.client.abortDomainJob(domain).then(
      () => {
        aborted = true;
      },
      // Before the job exists (the destination still starting) libvirt has nothing to abort: retried each poll.
      () => undefined,
    );
  const abortJob = (reason: 'cancelled' | 'timeout'): void => {
    if (settled || stopReason !== undefined) return;
    stopReason = reason;
    void tryAbort();
  };
  const onAbort = (): void => abortJob('cancelled');
  request.signal.addEventListener('abort', onAbort, { once: true });
  if (request.signal.aborted) onAbort();
  let timeout: NodeJS.Timeout | undefined;
  let postCopyWanted = false;
  if (policy.completionTimeoutMs !== undefined) {
    timeout = setTimeout(() => {
      // qemu accepts the switch only once memory is moving: the poll loop below retries until it does.
      if (policy.onTimeout === 'postcopy') postCopyWanted = true;
      else abortJob('timeout');
    }, policy.completionTimeoutMs);
  }
  const poll = (async () => {
    while (!settled) {
      await Promise.race([perform.catch(() => undefined), sleep(request.progressIntervalMs)]);
      if (settled) return;
      if (stopReason !== undefined && !aborted) await tryAbort();
      try {
        const job = await source.client.getDomainJobStats(domain);
        if (job.type === JobType.BOUNDED || job.type === JobType.UNBOUNDED) {
          if (downtimePending && policy.maxDowntimeMs !== undefined) {
            downtimePending = false;
            await source.client.migrateSetMaxDowntime(domain, policy.maxDowntimeMs).catch(() => undefined);
          }
          if (postCopyWanted && (toNumber(job.stats.data_processed) ?? 0) > 0) {
            postCopyWanted = await source.client.migrateStartPostCopy(domain).then(
              () => false,
              () => true,
            );
          }
          if (!settled && stopReason === undefined) request.onProgress(progressFrom(job.stats, iteration));
        }
      } catch {
        // progress is best effort; the migration's own result decides
      }
    }
  })();
  try {
    await perform;
  } catch (error) {
    if (stopReason === 'cancelled') {
      // The signal's reason decides: the caller's cancellation is ABORTED, a deadline TIMEOUT.
      throw toKvmError(
        error,
        { action: `${action} (the VM keeps running on host '${source.hostId}')` },
        request.signal,
      );
    }
    if (stopReason === 'timeout') {
      throw new NovaCronError({
        code: 'TIMEOUT',
        retryable: false,
        message: `The ${action} did not complete within ${policy.completionTimeoutMs} ms and was aborted; the VM keeps running on host '${source.hostId}'. Raise completionTimeoutMs, the bandwidth, or allow post-copy (onTimeout: 'postcopy').`,
        cause: libvirtCause(error),
      });
    }
    throw toKvmError(error, { action, hostId: source.hostId }, request.signal);
  } finally {
    request.signal.removeEventListener('abort', onAbort);
    if (timeout !== undefined) clearTimeout(timeout);
    await poll;
    await stopIterations();
  }
  const outcome: MigrationOutcome = { hostId: destination.hostId };
  try {
    const moved = await destination.client.lookupDomainByName(domain.name, request.signal);
    const completed = await destination.client.getDomainJobStats(
      moved,
      JobStatsFlag.COMPLETED,
      request.signal,
    );
    const downtime = toNumber(completed.stats.downtime);
    const bytes = toNumber(completed.stats.data_processed) ?? toNumber(completed.stats.memory_processed);
    const iterations = toNumber(completed.stats.memory_iteration);
    if (downtime !== undefined) outcome.downtimeMs = downtime;
    if (bytes !== undefined) outcome.bytesTransferred = bytes;
    if (iterations !== undefined || iteration > 0) outcome.iterations = Math.max(iterations ?? 0, iteration);
  } catch {
    // the statistics are a bonus: the migration itself succeeded
  }
  return outcome;
}
