import { NovaCronError } from '@novacron/core';

/** The NovaCronError `promise` rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejectionOf(promise: Promise<unknown>): Promise<NovaCronError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!NovaCronError.isInstance(error)) throw new Error(`expected a NovaCronError, got ${String(error)}`);
  return error;
}
