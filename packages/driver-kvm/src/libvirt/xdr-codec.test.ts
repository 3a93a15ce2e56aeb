import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LibvirtProtocolError } from './libvirt-error.js';
import { encodeFrame, LibvirtFrameDecoder } from './libvirt-frame-decoder.js';
import { readTypedParams, writeTypedParam } from './libvirt-types.js';
import { parseLibvirtUri } from './libvirt-uri.js';
import { XdrReader } from './xdr-reader.js';
import { XdrWriter } from './xdr-writer.js';

describe('XDR codec', () => {
  it('round-trips every scalar type and pads strings to 4 bytes', () => {
    const buffer = new XdrWriter()
      .int(-5)
      .uint(0xffffffff)
      .hyper(-(2n ** 62n))
      .unsignedHyper(2n ** 64n - 1n)
      .double(1.5)
      .bool(true)
      .string('héllo')
      .optionalString(null)
      .optionalString('x')
      .fixedOpaque(Buffer.from([1, 2, 3]))
      .toBuffer();
    expect(buffer.length % 4).toBe(0);
    const reader = new XdrReader(buffer);
    expect(reader.int()).toBe(-5);
    expect(reader.uint()).toBe(0xffffffff);
    expect(reader.hyper()).toBe(-(2n ** 62n));
    expect(reader.unsignedHyper()).toBe(2n ** 64n - 1n);
    expect(reader.double()).toBe(1.5);
    expect(reader.bool()).toBe(true);
    expect(reader.string()).toBe('héllo');
    expect(reader.optionalString()).toBeNull();
    expect(reader.optionalString()).toBe('x');
    expect([...reader.fixedOpaque(3)]).toEqual([1, 2, 3]);
    expect(reader.remaining).toBe(0);
  });

  it('round-trips any string and array of strings', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), (strings) => {
        const buffer = new XdrWriter().array(strings, (writer, value) => writer.string(value)).toBuffer();
        expect(new XdrReader(buffer).array((reader) => reader.string())).toEqual(strings);
      }),
    );
  });

  it('round-trips typed parameters', () => {
    const writer = new XdrWriter().uint(4);
    writeTypedParam(writer, { field: 'a', type: 'int', value: -1 });
    writeTypedParam(writer, { field: 'b', type: 'ullong', value: 2n ** 40n });
    writeTypedParam(writer, { field: 'c', type: 'boolean', value: true });
    writeTypedParam(writer, { field: 'd', type: 'string', value: 'tcp://x' });
    expect(readTypedParams(new XdrReader(writer.toBuffer()))).toEqual({
      a: -1,
      b: 2n ** 40n,
      c: true,
      d: 'tcp://x',
    });
  });

  it('refuses truncated data and lying lengths with a protocol error', () => {
    expect(() => new XdrReader(Buffer.alloc(2)).int()).toThrow(LibvirtProtocolError);
    const lying = new XdrWriter().uint(1000).toBuffer();
    expect(() => new XdrReader(lying).string()).toThrow(/needs/);
    expect(() => new XdrReader(lying).array((reader) => reader.int())).toThrow(/items/);
    expect(() => new XdrReader(new XdrWriter().uint(2 ** 31).toBuffer()).string()).toThrow(/limit/);
  });
});

describe('frame decoder', () => {
  const header = { program: 1, version: 1, procedure: 7, type: 1, serial: 9, status: 0 };

  it('reassembles frames split at any byte and several frames in one chunk', () => {
    const frames = Buffer.concat([
      encodeFrame(header, Buffer.from('abcd')),
      encodeFrame({ ...header, serial: 10 }, Buffer.alloc(0)),
    ]);
    for (let split = 0; split <= frames.length; split += 1) {
      const decoder = new LibvirtFrameDecoder(1024);
      const out = [...decoder.push(frames.subarray(0, split)), ...decoder.push(frames.subarray(split))];
      expect(out.map((frame) => frame.serial)).toEqual([9, 10]);
      expect(out[0]?.body.toString()).toBe('abcd');
    }
  });

  it('rejects oversized and undersized frames', () => {
    const oversized = Buffer.alloc(4);
    oversized.writeUInt32BE(2048);
    expect(() => new LibvirtFrameDecoder(1024).push(oversized)).toThrow(
      /Oversized libvirt frame: 2048 bytes/,
    );
    const undersized = Buffer.alloc(4);
    undersized.writeUInt32BE(8);
    expect(() => new LibvirtFrameDecoder(1024).push(undersized)).toThrow(/shorter than the 28-byte header/);
  });
});

describe('libvirt URIs', () => {
  it('parses the URI forms libvirt writes', () => {
    expect(parseLibvirtUri('qemu+unix:///system?socket=/tmp/s')).toMatchObject({
      transport: 'unix',
      socketPath: '/tmp/s',
      openName: 'qemu:///system',
    });
    expect(parseLibvirtUri('test+unix:///default?socket=/tmp/s').openName).toBe('test:///default');
    expect(parseLibvirtUri('qemu+tcp://h1/system')).toMatchObject({
      transport: 'tcp',
      host: 'h1',
      port: 16509,
    });
    expect(parseLibvirtUri('qemu+tls://h1:1234/system')).toMatchObject({ transport: 'tls', port: 1234 });
    expect(parseLibvirtUri('qemu+ssh://root@h1/system')).toMatchObject({
      transport: 'ssh',
      user: 'root',
      port: 22,
    });
    expect(parseLibvirtUri('qemu:///session').socketPath).toMatch(/libvirt-sock$/);
    expect(parseLibvirtUri('qemu+ssh://u:secret@h/system').display).not.toContain('secret');
    expect(() => parseLibvirtUri('qemu+carrier-pigeon://h/system')).toThrow(TypeError);
  });
});
