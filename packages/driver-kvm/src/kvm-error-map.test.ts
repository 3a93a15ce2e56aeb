import { NovaCronError } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import { toKvmError } from './kvm-error-map.js';
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
    'maps libvirt error %i to %s (retryable %s) keeping the original as cause',
    (code, expected, retryable) => {
      const original = libvirtError(code);
      const mapped = toKvmError(original, { action: 'start VM web-1', hostId: 'host-1' }) as NovaCronError;
      expect(NovaCronError.isInstance(mapped)).toBe(true);
      expect(mapped.code).toBe(expected);
      expect(mapped.retryable).toBe(retryable);
      expect(mapped.cause).toBe(original);
      expect(mapped.message).toContain("Could not start VM web-1 on KVM host 'host-1'");
      expect(mapped.message).toContain(`libvirt error ${code}`);
    },
  );

  it('maps lost connections and malformed frames to retryable UNAVAILABLE, refused credentials to AUTH', () => {
    const lost = toKvmError(new LibvirtConnectionError('closed', 'qemu:///system'), { action: 'list VMs' });
    expect(lost).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    const malformed = toKvmError(new LibvirtProtocolError('Oversized libvirt frame'), { action: 'list VMs' });
    expect(malformed).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    const refused = toKvmError(
      new LibvirtConnectionError('refused', 'qemu+tls://h/system', { refused: true }),
      {
        action: 'list VMs',
      },
    );
    expect(refused).toMatchObject({ code: 'AUTH', retryable: false });
  });

  it('passes NovaCronErrors, TypeErrors and aborts through untouched', () => {
    const own = new NovaCronError({ code: 'CONFLICT', message: 'x' });
    expect(toKvmError(own, { action: 'a' })).toBe(own);
    const mistake = new TypeError('bad');
    expect(toKvmError(mistake, { action: 'a' })).toBe(mistake);
    const abort = new DOMException('aborted', 'AbortError');
    expect(toKvmError(abort, { action: 'a' })).toBe(abort);
  });
});

describe('toKvmError never embeds domain XML', () => {
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
    const error = toKvmError(original, { action: 'create VM web-1', hostId: 'h1' }) as NovaCronError;
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('attributes construct error');
    expect(error.message).toContain('[XML omitted]');
    expect(error.message).not.toContain('token-abc');
    expect(error.message).not.toContain('<domain');
    expect((error.cause as LibvirtError).message).not.toContain('token-abc');
    expect((error.cause as LibvirtError).code).toBe(LibvirtErrorCode.XML_ERROR);
  });
});
