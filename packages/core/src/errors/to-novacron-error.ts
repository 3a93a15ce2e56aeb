import { NovaCronError } from './novacron-error.js';

/**
 * Turns anything thrown into a {@link NovaCronError}: `NovaCronError`s pass through (with context added), aborts
 * become `ABORTED`, and anything else becomes `PROVIDER` with the original kept as `cause`.
 *
 * `TypeError`s are programming mistakes and are rethrown by callers before reaching here.
 */
export function toNovaCronError(
  error: unknown,
  context: { provider?: string; operation?: string },
): NovaCronError {
  if (NovaCronError.isInstance(error)) return error.withContext(context);
  if (isAbortError(error)) {
    return new NovaCronError({
      code: 'ABORTED',
      message: `${context.operation ?? 'The operation'} was cancelled by the caller.`,
      ...context,
      cause: error,
    });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new NovaCronError({
    code: 'PROVIDER',
    message: `${context.operation ?? 'The operation'} failed on provider '${context.provider ?? '?'}': ${detail}`,
    ...context,
    cause: error,
  });
}

/** True for the errors `AbortSignal` produces (`AbortError`, `TimeoutError`). */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}
