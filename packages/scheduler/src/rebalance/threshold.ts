import { RESOURCE_DIMENSIONS } from '@novacron/core';
import { invalidArgument } from '../invalid-argument.js';
import type { Threshold } from './types.js';

/**
 * The threshold as one fraction per resource in {@link RESOURCE_DIMENSIONS} order (`Infinity` for a resource it
 * does not check); a `NovaCronError` naming `field` for a value that is not a fraction in (0, 1] or a key that is
 * not a resource.
 *
 * @example
 * thresholdFractions(0.8, 'threshold'); // [0.8, 0.8, 0.8, 0.8]
 * thresholdFractions({ vcpus: 0.8 }, 'threshold'); // [0.8, Infinity, Infinity, Infinity]
 */
export function thresholdFractions(threshold: Threshold, field: string): number[] {
  const check = (value: unknown, at: string): number => {
    if (!(typeof value === 'number' && value > 0 && value <= 1))
      throw invalidArgument(at, `${at} is ${String(value)}; use a fraction of capacity in (0, 1], e.g. 0.8.`);
    return value;
  };
  if (typeof threshold === 'number' || typeof threshold !== 'object' || threshold === null) {
    const value = check(threshold, field);
    return RESOURCE_DIMENSIONS.map(() => value);
  }
  for (const key of Object.keys(threshold))
    if (!(RESOURCE_DIMENSIONS as readonly string[]).includes(key))
      throw invalidArgument(
        `${field}.${key}`,
        `${field}.${key} is not a resource; use ${RESOURCE_DIMENSIONS.join(', ')}.`,
      );
  return RESOURCE_DIMENSIONS.map((dimension) =>
    threshold[dimension] === undefined
      ? Number.POSITIVE_INFINITY
      : check(threshold[dimension], `${field}.${dimension}`),
  );
}
