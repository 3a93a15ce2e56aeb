import { inspect } from 'node:util';
import { NovaCronError } from '@novacron/core';
import { ProviderError } from '@novacron/core/driver';
import { describe, expect, it } from 'vitest';
import { redactLibvirtMessage, toKvmError } from './kvm-error-map.js';
import {
  LibvirtConnectionError,
  LibvirtError,
  LibvirtErrorCode,
  LibvirtProtocolError,
} from './libvirt/index.js';

const libvirtError = (code: number) =>
  new LibvirtError({ code, domain: 10, message: `libvirt says ${code}`, level: 2 }, 'DOMAIN_LOOKUP_BY_NAME');

describe('toKvmError', () => {
  it.each([
    [LibvirtErrorCode.NO_DOMAIN, 'NOT_FOUND', false],
    [LibvirtErrorCode.NO_STORAGE_VOL, 'NOT_FOUND', false],
    [LibvirtErrorCode.OPERATION_INVALID, 'CONFLICT', false],
    [LibvirtErrorCode.DOM_EXIST, 'ALREADY_EXISTS', false],
    [LibvirtErrorCode.NO_SUPPORT, 'UNSUPPORTED', false],
    [LibvirtErrorCode.OPERATION_UNSUPPORTED, 'UNSUPPORTED', false],
    [LibvirtErrorCode.INVALID_ARG, 'INVALID_ARGUMENT', false],
    [LibvirtErrorCode.ACCESS_DENIED, 'AUTH', false],
    [LibvirtErrorCode.OPERATION_TIMEOUT, 'TIMEOUT', true],
    [LibvirtErrorCode.OPERATION_ABORTED, 'ABORTED', false],
    [LibvirtErrorCode.INTERNAL_ERROR, 'PROVIDER', false],
  ])(
    'maps libvirt error %i to %s (retryable %s) with a ProviderError cause holding only code, domain and message',
    (code, expected, retryable) => {
      const mapped = toKvmError(libvirtError(code), { action: 'start VM web-1', hostId: 'host-1' });
      expect(mapped.code).toBe(expected);
      expect(mapped.retryable).toBe(retryable);
      expect(mapped.cause).toBeInstanceOf(ProviderError);
      expect(mapped.cause).toMatchObject({
        providerCode: `libvirt error ${code}, domain 10`,
        message: `libvirt says ${code}`,
      });
      expect(inspect(mapped.cause, { showHidden: true })).not.toContain('DOMAIN_LOOKUP_BY_NAME');
      expect(mapped.message).toContain(
        `Start VM web-1 on KVM host 'host-1' failed (libvirt error ${code}, domain 10): libvirt says ${code}`,
      );
    },
  );

  it('maps lost connections and malformed frames to retryable UNAVAILABLE, refused credentials to AUTH', () => {
    const refusedSocket = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const lost = toKvmError(
      new LibvirtConnectionError('closed', 'qemu:///system', { cause: refusedSocket }),
      { action: 'list VMs' },
    );
    expect(lost).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    expect(lost.cause).toMatchObject({ providerCode: 'ECONNREFUSED' });
    expect((lost.cause as Error).cause).toBeUndefined();
    const malformed = toKvmError(new LibvirtProtocolError('Oversized libvirt frame'), { action: 'list VMs' });
    expect(malformed).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    const refused = toKvmError(
      new LibvirtConnectionError('refused', 'qemu+tls://h/system', { refused: true }),
      { action: 'list VMs' },
    );
    expect(refused).toMatchObject({ code: 'AUTH', retryable: false });
  });

  it("passes NovaCronErrors through and maps aborts by the signal's reason: a deadline is TIMEOUT", () => {
    const own = new NovaCronError({ code: 'CONFLICT', message: 'x' });
    expect(toKvmError(own, { action: 'a' })).toBe(own);
    const deadline = AbortSignal.abort(new DOMException('deadline', 'TimeoutError'));
    const timedOut = toKvmError(deadline.reason, { action: 'start VM web-1', hostId: 'h1' }, deadline);
    expect(timedOut).toMatchObject({ code: 'TIMEOUT', retryable: true });
    // Whatever the call threw once the signal fired (a connection torn down by the abort, say).
    const cancelled = AbortSignal.abort();
    const aborted = toKvmError(new LibvirtConnectionError('closed', 'x'), { action: 'a' }, cancelled);
    expect(aborted).toMatchObject({ code: 'ABORTED', retryable: false });
    expect(toKvmError(new DOMException('aborted', 'AbortError'), { action: 'a' }).code).toBe('ABORTED');
  });
});

describe('toKvmError never embeds domain XML or credentials', () => {
  it("drops the document libvirt quotes in an XML error, from the message and from the cause's message", () => {
    const quoted =
      '<domain type="test"><name>web-1</name><metadata><nc:novacron xmlns:nc="https://novacron.dev/xmlns/kvm/1"><nc:tags><nc:tag key="secret" value="token-abc"/><nc:tag key="bad" value="x\u0001y"/></nc:tags></nc:novacron></metadata></domain>';
    const original = new LibvirtError(
      {
        code: LibvirtErrorCode.XML_ERROR,
        domain: 20,
        level: 2,
        message: `XML error: (domain_definition):1: attributes construct error\n${quoted}\n-------------------------------------------------------^`,
      },
      'DOMAIN_DEFINE_XML_FLAGS',
    );
    const error = toKvmError(original, { action: 'create VM web-1', hostId: 'h1' });
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('attributes construct error');
    expect(error.message).toContain('[XML omitted]');
    expect(error.message).not.toContain('token-abc');
    expect(error.message).not.toContain('<domain');
    expect((error.cause as Error).message).not.toContain('token-abc');
    expect(error.cause).toMatchObject({ providerCode: 'libvirt error 27, domain 20' });
  });

  it('redacts private keys, URI passwords and credential parameters', () => {
    const message = redactLibvirtMessage(
      "cannot reach 'qemu+tls://admin:hunter2@peer/system?x=1': -----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
    );
    expect(message).toBe(
      "cannot reach 'qemu+tls://admin:[redacted]@peer/system?x=1': [private key redacted]",
    );
    const quotingUri = new LibvirtError(
      { code: 9, domain: 10, level: 2, message: 'failed: qemu+ssh://h/system?keyfile=/k&password=pw1' },
      'DOMAIN_MIGRATE_PERFORM3_PARAMS',
    );
    const mapped = toKvmError(quotingUri, { action: 'migrate VM web-1' });
    expect(mapped.message).not.toContain('pw1');
    expect(mapped.message).not.toContain('/k&');
  });
});
