import { createHash } from 'node:crypto';
import type { PlacementPlan } from '../model/placement.js';

/**
 * A plan's id: 16 hex digits of the SHA-256 of its provider and assignments, so the same plan (also parsed back
 * from JSON) always has the same id. Applies derive their idempotency keys and their plan tag from it.
 *
 * @example
 * planId(plan); // '3f9a0c1d2b4e5f60'
 */
export function planId(plan: PlacementPlan): string {
  const content = JSON.stringify([plan.provider, plan.assignments]);
  return createHash('sha256').update(content).digest('hex').slice(0, 16);
}
