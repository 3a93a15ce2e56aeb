import { RestError } from '@azure/arm-compute';
import { describe, expect, it } from 'vitest';
import { toAzureNovaCronError } from './azure-error-map.js';

const where = { action: 'virtualMachines.get', subscriptionId: 'sub', resource: 'web-1' };

function restError(statusCode: number, code: string, message = code, headers: Record<string, string> = {}) {
  const error = new RestError(message, { statusCode, code });
  Object.assign(error, {
    response: { headers: { get: (name: string) => headers[name.toLowerCase()] }, status: statusCode },
  });
  return error;
}

describe('toAzureNovaCronError', () => {
  it.each([
    [404, 'ResourceNotFound', 'NOT_FOUND'],
    [409, 'Conflict', 'CONFLICT'],
    [409, 'OperationNotAllowed', 'CONFLICT'],
    [400, 'InvalidParameter', 'INVALID_ARGUMENT'],
    [401, 'InvalidAuthenticationToken', 'AUTH'],
    [500, 'InternalServerError', 'UNAVAILABLE'],
    [503, 'SomethingNew', 'UNAVAILABLE'],
    [418, 'Teapot', 'PROVIDER'],
  ] as const)('maps %s %s to %s', (status, code, expected) => {
    expect(toAzureNovaCronError(restError(status, code), where).code).toBe(expected);
  });

  it('maps 429 to THROTTLED with its Retry-After', () => {
    const error = toAzureNovaCronError(
      restError(429, 'TooManyRequests', 'slow down', { 'retry-after': '7' }),
      where,
    );
    expect(error.code).toBe('THROTTLED');
    expect(error.retryAfterMs).toBe(7_000);
  });

  it('maps an OperationNotAllowed about quota to QUOTA_EXCEEDED', () => {
    const error = toAzureNovaCronError(
      restError(
        409,
        'OperationNotAllowed',
        'Operation could not be completed as it results in exceeding approved standardDSv5Family Cores quota.',
      ),
      where,
    );
    expect(error.code).toBe('QUOTA_EXCEEDED');
    expect(error.retryable).toBe(false);
  });

  it('reads the code of a failed long-running operation from its message', () => {
    const error = toAzureNovaCronError(
      new Error('The long-running operation has failed. {"code":"AllocationFailed","message":"no room"}'),
      where,
    );
    expect(error.code).toBe('NO_CAPACITY');
  });

  it.each([
    ['AllocationFailed', 'NO_CAPACITY'],
    ['SkuNotAvailable', 'NO_CAPACITY'],
    ['QuotaExceeded', 'QUOTA_EXCEEDED'],
  ])('reads %s from the message @azure/core-lro writes for a failed operation (%s)', (armCode, code) => {
    // core-lro's own format: `The long-running operation has failed. ${code}. ${message}`.
    const error = toAzureNovaCronError(
      new Error(`The long-running operation has failed. ${armCode}. Allocation failed in westeurope.`),
      where,
    );
    expect(error.code).toBe(code);
  });

  it('maps a dropped connection (no HTTP status) as a network failure: UNAVAILABLE, retryable', () => {
    const error = toAzureNovaCronError(new RestError('socket hang up', { code: 'ECONNRESET' }), where);
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.retryable).toBe(true);
  });

  it('says what failed and where, and keeps no SDK error', () => {
    const error = toAzureNovaCronError(restError(404, 'ResourceNotFound', 'gone'), where);
    expect(error.message).toContain('virtualMachines.get on web-1 in Azure subscription sub');
    expect(error.cause).not.toBeInstanceOf(RestError);
  });

  it('maps an aborted call to ABORTED', () => {
    const error = toAzureNovaCronError(new Error('aborted'), where, AbortSignal.abort());
    expect(error.code).toBe('ABORTED');
  });
});
