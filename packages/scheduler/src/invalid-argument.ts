import { NovaCronError } from '@novacron/core';

/**
 * A `NovaCronError` with code `INVALID_ARGUMENT` for bad input from a user of the scheduler: `field` names the
 * value, `message` says what is wrong and how to fix it.
 *
 * @example
 * throw invalidArgument('demands[2].resources.vcpus', 'demands[2].resources.vcpus is -1; use a number >= 0.');
 */
export function invalidArgument(field: string, message: string): NovaCronError {
  return new NovaCronError({ code: 'INVALID_ARGUMENT', field, message });
}
