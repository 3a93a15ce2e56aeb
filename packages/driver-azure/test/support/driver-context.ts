import { randomUUID } from 'node:crypto';
import { type DriverCreateContext, NovaCronError } from '@novacron/core';
import { expect } from 'vitest';

/** A driver call context as the core would pass it, with a fresh idempotency key unless one is given. */
export function callContext(key: string = randomUUID()): DriverCreateContext {
  return { signal: new AbortController().signal, operationId: 'test', attempt: 1, idempotencyKey: key };
}

/** A VM name unique to the run. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Awaits a rejection and checks its NovaCron code; returns the error. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<NovaCronError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(NovaCronError.isInstance(error) ? error.code : error).toBe(code);
  return error as NovaCronError;
}
