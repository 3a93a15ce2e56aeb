import {
  type DriverCallContext,
  type DriverCreateContext,
  type DriverMigrateContext,
  type MigrationProgress,
  NovaCronError,
  type ProviderVm,
  type VmFilter,
} from '@novacron/core';
import { expect } from 'vitest';
import type { SimDriver } from '../src/sim-driver.js';

let operations = 0;

/** A call context as the core would pass it. */
export function callContext(signal: AbortSignal = new AbortController().signal): DriverCallContext {
  operations += 1;
  return { signal, operationId: `op-${operations}`, attempt: 1 };
}

/** A create context with its idempotency key. */
export function createContext(idempotencyKey: string, signal?: AbortSignal): DriverCreateContext {
  return { ...callContext(signal), idempotencyKey };
}

/** A migrate context that records every progress report into `reports`. */
export function migrateContext(reports: MigrationProgress[], signal?: AbortSignal): DriverMigrateContext {
  return { ...callContext(signal), onProgress: (progress) => reports.push(progress) };
}

/** Awaits `promise`, expects it to reject with a NovaCronError of `code`, and returns the error. */
export async function expectCode(
  promise: Promise<unknown>,
  code: NovaCronError['code'],
): Promise<NovaCronError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(NovaCronError.isInstance(error), `expected a NovaCronError ${code}, got ${String(error)}`).toBe(
    true,
  );
  expect((error as NovaCronError).code).toBe(code);
  return error as NovaCronError;
}

/** Follows every page of the VM list. */
export async function listAll(
  driver: SimDriver,
  filter?: VmFilter,
  pageSize?: number,
): Promise<ProviderVm[]> {
  const all: ProviderVm[] = [];
  let cursor: string | undefined;
  do {
    const page = await driver.doListVms(
      {
        ...(cursor === undefined ? {} : { cursor }),
        ...(filter === undefined ? {} : { filter }),
        ...(pageSize === undefined ? {} : { pageSize }),
      },
      callContext(),
    );
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return all;
}

/** Creates `count` VMs named `${prefix}-<n>` with the given spec extras. */
export async function createMany(
  driver: SimDriver,
  count: number,
  prefix = 'vm',
  extra: Record<string, unknown> = { size: 'sim.small' },
): Promise<ProviderVm[]> {
  const made: ProviderVm[] = [];
  for (let index = 0; index < count; index += 1) {
    made.push(
      await driver.doCreateVm({ name: `${prefix}-${index}`, ...extra }, createContext(`${prefix}-${index}`)),
    );
  }
  return made;
}
