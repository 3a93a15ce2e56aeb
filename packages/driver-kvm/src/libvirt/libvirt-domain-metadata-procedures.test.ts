import { describe, expect, it } from 'vitest';
import type { LibvirtCall } from './libvirt-call.js';
import { setDomainMetadata } from './libvirt-domain-metadata-procedures.js';
import { DomainMetadataType, DomainModificationImpact, Procedure } from './libvirt-protocol.js';
import { readDomain } from './libvirt-types.js';
import { XdrReader } from './xdr-reader.js';

/** A call that records what would go on the wire and answers with an empty reply. */
function recordingCall(): { call: LibvirtCall; sent: { procedure: string; body: Buffer }[] } {
  const sent: { procedure: string; body: Buffer }[] = [];
  const call: LibvirtCall = async (procedure, body, decode) => {
    sent.push({ procedure, body });
    return decode(new XdrReader(Buffer.alloc(0)));
  };
  return { call, sent };
}

const domain = { name: 'web-1', uuid: Buffer.alloc(16, 0xab), id: 7 };

describe('virDomainSetMetadata on the wire', () => {
  it('is procedure 264 with remote_domain_set_metadata_args: dom, type, metadata, key, uri, flags', async () => {
    expect(Procedure.DOMAIN_SET_METADATA).toBe(264);
    const { call, sent } = recordingCall();
    await setDomainMetadata(
      call,
      domain,
      { type: DomainMetadataType.ELEMENT, metadata: '<nc/>', key: 'nc', uri: 'https://example.com/x' },
      DomainModificationImpact.LIVE | DomainModificationImpact.CONFIG,
    );
    expect(sent.map((each) => each.procedure)).toEqual(['DOMAIN_SET_METADATA']);
    const reader = new XdrReader(sent[0]?.body as Buffer);
    expect(readDomain(reader)).toEqual(domain);
    expect(reader.int()).toBe(2);
    expect(reader.optionalString()).toBe('<nc/>');
    expect(reader.optionalString()).toBe('nc');
    expect(reader.optionalString()).toBe('https://example.com/x');
    expect(reader.uint()).toBe(3);
    expect(reader.remaining).toBe(0);
  });

  it('writes absent strings as null remote_strings (removing metadata, or a title without key and URI)', async () => {
    const { call, sent } = recordingCall();
    await setDomainMetadata(
      call,
      domain,
      { type: DomainMetadataType.TITLE, metadata: null, key: null, uri: null },
      DomainModificationImpact.CONFIG,
    );
    const reader = new XdrReader(sent[0]?.body as Buffer);
    readDomain(reader);
    expect(reader.int()).toBe(1);
    expect([reader.optionalString(), reader.optionalString(), reader.optionalString()]).toEqual([
      null,
      null,
      null,
    ]);
    expect(reader.uint()).toBe(2);
    expect(reader.remaining).toBe(0);
  });
});
