/** Default migration bandwidth, MiB/s: 10 Gb Ethernet. */
export const DEFAULT_BANDWIDTH_MIBPS = 1250;

/**
 * The memory a pre-copy live migration sends for a VM of `memoryMiB` that dirties `dirtyRateMiBps`, at
 * `bandwidthMiBps`: each round re-sends what the previous one dirtied, a geometric series summing to
 * `memory / (1 - dirty / bandwidth)`. `Infinity` when the guest dirties memory as fast as the link sends it
 * (pre-copy never converges).
 *
 * @example
 * copyMiB(4096, 125, 1250); // 4551.1 (10 % re-sent)
 */
export function copyMiB(memoryMiB: number, dirtyRateMiBps: number, bandwidthMiBps: number): number {
  const ratio = dirtyRateMiBps / bandwidthMiBps;
  return ratio >= 1 ? Number.POSITIVE_INFINITY : memoryMiB / (1 - ratio);
}
