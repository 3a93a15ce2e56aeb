import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NovaCronError } from '../errors/novacron-error.js';
import { createErrorMapper } from './error-mapper.js';
import { createCursorCodec } from './opaque-cursor.js';
import { pageOf } from './page-of.js';
import { redactSecrets } from './provider-error.js';
import { parseProviderOptions } from './provider-options.js';

const isPage = (value: unknown): value is { page: number } =>
  typeof (value as { page?: unknown })?.page === 'number';

function expectInvalidCursor(run: () => unknown): NovaCronError {
  try {
    run();
  } catch (error) {
    expect(NovaCronError.isInstance(error)).toBe(true);
    expect((error as NovaCronError).code).toBe('INVALID_ARGUMENT');
    expect((error as NovaCronError).field).toBe('cursor');
    return error as NovaCronError;
  }
  throw new Error('expected an INVALID_ARGUMENT cursor error');
}

describe('createCursorCodec', () => {
  const vms = createCursorCodec({ driver: 'hetzner', list: 'vms', isPosition: isPage });

  it('round-trips a position and reads no cursor as the first page', () => {
    expect(vms.decode(vms.encode({ page: 7 }))).toEqual({ page: 7 });
    expect(vms.decode(undefined)).toBeUndefined();
  });

  it("refuses another driver's, another list's, a malformed and a hand-edited cursor with one error", () => {
    const otherDriver = createCursorCodec({ driver: 'sim', list: 'vms', isPosition: isPage });
    const otherList = createCursorCodec({ driver: 'hetzner', list: 'sizes', isPosition: isPage });
    const error = expectInvalidCursor(() => vms.decode(otherDriver.encode({ page: 1 })));
    expect(error.message).toContain('not a vms cursor of the hetzner driver');
    expectInvalidCursor(() => vms.decode(otherList.encode({ page: 1 })));
    expectInvalidCursor(() => vms.decode('%%% not base64 %%%'));
    expectInvalidCursor(() =>
      vms.decode(Buffer.from('{"d":"hetzner","l":"vms","p":{"page":"2"}}').toString('base64url')),
    );
    expectInvalidCursor(() => vms.decode(''));
  });
});

describe('pageOf', () => {
  const options = { driver: 'hetzner', list: 'images', maxPageSize: 3 };
  const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

  it('follows every page to the end, never more than maxPageSize per page', () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = pageOf(
        items,
        cursor === undefined ? { pageSize: 100 } : { cursor, pageSize: 100 },
        options,
      );
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== undefined);
    expect(seen).toEqual(items);
    expect(pages).toBe(3);
  });

  it('has no next cursor on an exactly full last page, and refuses a foreign cursor', () => {
    expect(pageOf(['a', 'b', 'c'], {}, options)).toEqual({ items: ['a', 'b', 'c'] });
    expectInvalidCursor(() => pageOf(items, { cursor: 'bm9wZQ' }, options));
  });
});

describe('parseProviderOptions', () => {
  const schema = z.object({ placementGroup: z.string().optional() }).strict();

  it("returns the driver's own options and ignores other kinds'", () => {
    expect(parseProviderOptions('aws', { aws: { placementGroup: 'pg' }, gcp: { x: 1 } }, schema)).toEqual({
      placementGroup: 'pg',
    });
    expect(parseProviderOptions('aws', { gcp: { x: 1 } }, schema)).toBeUndefined();
    expect(parseProviderOptions('aws', undefined, schema)).toBeUndefined();
  });

  it('names the bad field and the unknown keys', () => {
    try {
      parseProviderOptions('aws', { aws: { placementGrop: 'pg' } }, schema);
      expect.unreachable();
    } catch (error) {
      expect((error as NovaCronError).code).toBe('INVALID_ARGUMENT');
      expect((error as NovaCronError).field).toBe('providerOptions.aws');
      expect((error as NovaCronError).message).toContain('placementGrop');
    }
    try {
      parseProviderOptions('aws', { aws: { placementGroup: 3 } }, schema);
      expect.unreachable();
    } catch (error) {
      expect((error as NovaCronError).field).toBe('providerOptions.aws.placementGroup');
    }
  });
});

describe('createErrorMapper', () => {
  class SdkError extends Error {
    readonly $metadata = { httpStatusCode: 503, requestId: 'req-1' };
    readonly $response = {
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKIAFAKEACCESSKEY01/...' },
    };
    readonly credentials = { accessKeyId: 'AKIAFAKEACCESSKEY01', sessionToken: 'FAKESESSIONTOKENxyz' };
    constructor(
      override readonly name: string,
      message: string,
    ) {
      super(message);
    }
  }
  const toError = createErrorMapper<{ action: string }>({
    driver: 'fake',
    describe: (context) => `${context.action} on the fake cloud`,
    classify: (error) =>
      error instanceof SdkError
        ? {
            code: error.name === 'Throttled' ? 'THROTTLED' : 'UNAVAILABLE',
            message: error.message,
            providerCode: error.name,
            requestId: error.$metadata.requestId,
            statusCode: error.$metadata.httpStatusCode,
            retryAfterMs: 2000,
          }
        : undefined,
    hints: { AUTH: 'Check the credentials.' },
  });

  it('keeps the code, message, request id and status, and no credential however the error is inspected', () => {
    const mapped = toError(
      new SdkError(
        'Throttled',
        'Slow down; see https://x/?X-Amz-Signature=abcdef&X-Amz-Credential=AKIAFAKEACCESSKEY01',
      ),
      { action: 'RunInstances' },
    );
    expect(mapped.code).toBe('THROTTLED');
    expect(mapped.retryable).toBe(true);
    expect(mapped.retryAfterMs).toBe(2000);
    expect(mapped.statusCode).toBe(503);
    expect(mapped.message).toContain('RunInstances on the fake cloud failed (Throttled)');
    expect((mapped.cause as { requestId?: string }).requestId).toBe('req-1');
    const printed = inspect(mapped, { showHidden: true, depth: 10 });
    expect(printed).not.toContain('AKIAFAKEACCESSKEY01');
    expect(printed).not.toContain('FAKESESSIONTOKENxyz');
    expect(printed).not.toContain('abcdef');
  });

  it('has one abort policy: a deadline is TIMEOUT, a cancellation ABORTED, whatever the SDK threw', () => {
    const deadline = AbortSignal.abort(new DOMException('deadline', 'TimeoutError'));
    const cancelled = AbortSignal.abort();
    expect(toError(new SdkError('Socket', 'socket hang up'), { action: 'x' }, deadline).code).toBe('TIMEOUT');
    expect(toError(new SdkError('Socket', 'socket hang up'), { action: 'x' }, cancelled).code).toBe(
      'ABORTED',
    );
    const abortError = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(toError(abortError, { action: 'x' }).code).toBe('ABORTED');
  });

  it('passes NovaCronErrors through, makes network errors UNAVAILABLE and the rest PROVIDER', () => {
    const own = new NovaCronError({ code: 'NOT_FOUND', message: 'gone' });
    expect(toError(own, { action: 'x' })).toBe(own);
    expect(toError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), { action: 'x' }).code).toBe(
      'UNAVAILABLE',
    );
    const other = toError(new Error('strange'), { action: 'x' });
    expect(other.code).toBe('PROVIDER');
    expect(other.retryable).toBe(false);
  });
});

describe('redactSecrets', () => {
  it('redacts credential-looking parameters and authorization values, and leaves the rest', () => {
    expect(redactSecrets('GET /blob?sv=2024&sig=SECRETSIG&se=2026 failed')).toBe(
      'GET /blob?sv=2024&sig=[redacted]&se=2026 failed',
    );
    expect(redactSecrets('password=hunter2 user=bob')).toBe('password=[redacted] user=bob');
    expect(redactSecrets('Authorization: Bearer eyJhbGciOi')).toBe('Authorization: [redacted]');
    expect(redactSecrets('instance i-0abc not found')).toBe('instance i-0abc not found');
  });
});

describe('createErrorMapper with a live signal', () => {
  const toError = createErrorMapper<string>({
    driver: 'fake',
    describe: (action) => action,
    classify: () => undefined,
  });

  it("reads an SDK's TimeoutError by what it is: a reset with an errno is UNAVAILABLE, a socket timeout TIMEOUT", () => {
    const reset = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
    const socketTimeout = Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
    expect(toError(reset, 'RunInstances', new AbortController().signal).code).toBe('UNAVAILABLE');
    const timedOut = toError(socketTimeout, 'RunInstances', new AbortController().signal);
    expect([timedOut.code, timedOut.retryable]).toEqual(['TIMEOUT', true]);
  });
});

describe('redactSecrets on quoted headers', () => {
  it('redacts credential headers quoted in a provider message', () => {
    const text =
      "The request signature does not match. Canonical: 'x-amz-security-token:FAKETOKEN123\nhost:ec2'";
    expect(redactSecrets(text)).not.toContain('FAKETOKEN123');
    expect(redactSecrets(text)).toContain('host:ec2');
  });
});

describe('redactSecrets on keys and URIs', () => {
  it('redacts PEM private keys, whole or cut off, and the password of a URI, keeping the rest', () => {
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEFAKEKEYNOVACRON\n-----END PRIVATE KEY-----';
    expect(redactSecrets(`cannot load ${key} from file`)).toBe(
      'cannot load [private key redacted] from file',
    );
    expect(redactSecrets('truncated -----BEGIN RSA PRIVATE KEY-----\nMIIEFAKE')).toBe(
      'truncated [private key redacted]',
    );
    expect(redactSecrets("cannot reach 'qemu+tls://admin:hunter2@peer/system'")).toBe(
      "cannot reach 'qemu+tls://admin:[redacted]@peer/system'",
    );
    expect(redactSecrets('see https://example.test/path')).toBe('see https://example.test/path');
  });
});
