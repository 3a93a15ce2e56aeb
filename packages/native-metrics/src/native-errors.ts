/**
 * Turns an error thrown by the Rust binding into the documented JavaScript error: the binding
 * marks argument errors with the Node-API status `InvalidArg`, which becomes a `RangeError`.
 *
 * @example
 * try { binding.call() } catch (error) { throw toJavaScriptError(error) }
 */
export function toJavaScriptError(error: unknown): unknown {
  if (error instanceof Error && (error as { code?: unknown }).code === 'InvalidArg') {
    return new RangeError(error.message);
  }
  if (error instanceof Error && (error as { code?: unknown }).code === 'GenericFailure') {
    return new Error(error.message);
  }
  return error;
}
