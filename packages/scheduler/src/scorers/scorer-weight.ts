import { invalidArgument } from '../invalid-argument.js';

/** Options every built-in scorer takes. */
export interface ScorerOptions {
  /** Multiplies the scorer's scores. Default 1. */
  weight?: number;
}

/**
 * The checked weight of a built-in scorer: `options.weight`, default 1; a `NovaCronError` (`INVALID_ARGUMENT`)
 * when it is not a finite number > 0.
 *
 * @example
 * scorerWeight('pack', { weight: 2 }); // 2
 */
export function scorerWeight(name: string, options: ScorerOptions): number {
  const weight = options.weight ?? 1;
  if (!(typeof weight === 'number' && Number.isFinite(weight) && weight > 0))
    throw invalidArgument(
      'weight',
      `${name}: weight is ${String(weight)}; use a finite number > 0 (default 1).`,
    );
  return weight;
}
