import type { PlacementPlan } from '@novacron/core';

/** Options of {@link formatPlan}. */
export interface FormatPlanOptions {
  /** Most assignment rows to print; the rest are counted in one line. Default 50. */
  limit?: number;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)];
}

/**
 * A plan as text: one row per assignment (VM, host, resources), then every unplaced VM with its explanation,
 * then the stats.
 *
 * @example
 * console.log(formatPlan(scheduler.place({ hosts, demands }), { limit: 20 }));
 * // VM     host    vCPUs  memory MiB  disk GiB  GPUs
 * // -----  ------  -----  ----------  --------  ----
 * // web-1  host-3      2        4096        20     0
 * // ...
 * // Unplaced (1):
 * //   gpu-9: 12 hosts lack 4 free GPUs, 3 hosts are in maintenance
 * // 1 VM placed on 1 host (1 newly used), 1 unplaced; batch, pack, 0.4 ms
 */
export function formatPlan(plan: PlacementPlan, options: FormatPlanOptions = {}): string {
  const limit = options.limit ?? 50;
  const shown = plan.assignments.slice(0, limit);
  const lines = table(
    ['VM', 'host', 'vCPUs', 'memory MiB', 'disk GiB', 'GPUs'],
    shown.map(({ demand, hostId }) => [
      demand.key,
      hostId,
      String(demand.resources.vcpus),
      String(demand.resources.memoryMiB),
      String(demand.resources.diskGiB ?? 0),
      String(demand.resources.gpus ?? 0),
    ]),
  );
  if (plan.assignments.length > shown.length)
    lines.push(`... and ${plan.assignments.length - shown.length} more`);
  if (plan.unplaced.length > 0) {
    lines.push('', `Unplaced (${plan.unplaced.length}):`);
    for (const entry of plan.unplaced) lines.push(`  ${entry.explanation}`);
  }
  const { hostsUsed, hostsOpened, durationMs } = plan.stats;
  const vms = plan.assignments.length;
  lines.push(
    '',
    `${vms} VM${vms === 1 ? '' : 's'} placed on ${hostsUsed} host${hostsUsed === 1 ? '' : 's'} (${hostsOpened} newly used), ${plan.unplaced.length} unplaced; ${plan.strategy}, ${plan.objective}, ${durationMs.toFixed(1)} ms`,
  );
  return lines.join('\n');
}
