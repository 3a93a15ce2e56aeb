import { NovaCronError } from '@novacron/core';

/**
 * Re-runs `run` while it throws a retryable NovaCronError, passing the attempt number, as the core pipeline does
 * (without its backoff delays). Used by driver-level fault tests; pipeline-level tests go through createNovaCron.
 */
export async function retryLikePipeline<T>(
  run: (attempt: number) => Promise<T>,
  maxAttempts = 6,
): Promise<{ result: T; failures: NovaCronError[] }> {
  const failures: NovaCronError[] = [];
  for (let attempt = 1; ; attempt += 1) {
    try {
      return { result: await run(attempt), failures };
    } catch (error) {
      if (!NovaCronError.isInstance(error) || !error.retryable || attempt >= maxAttempts) throw error;
      failures.push(error);
    }
  }
}
