import { LibvirtProtocolError } from './libvirt-error.js';
import { HEADER_SIZE } from './libvirt-protocol.js';

/** One message off the wire: the header fields and the XDR body. */
export interface LibvirtFrame {
  /** Program number. */
  program: number;
  /** Program version. */
  version: number;
  /** Procedure number. */
  procedure: number;
  /** `MessageType`. */
  type: number;
  /** Serial (matches a reply to its call). */
  serial: number;
  /** `MessageStatus`. */
  status: number;
  /** The message after the header. */
  body: Buffer;
}

/**
 * Splits a byte stream into libvirt messages (4-byte total length, 24-byte header, body). A length below the header
 * size or above `maxFrameSize` throws a {@link LibvirtProtocolError}: the stream cannot be trusted after that.
 *
 * @example
 * const decoder = new LibvirtFrameDecoder(32 * 1024 * 1024);
 * socket.on('data', (chunk) => { for (const frame of decoder.push(chunk)) handle(frame); });
 */
export class LibvirtFrameDecoder {
  private pending: Buffer[] = [];
  private pendingLength = 0;

  constructor(private readonly maxFrameSize: number) {}

  /** Adds bytes and returns every complete frame they finish. */
  push(chunk: Buffer): LibvirtFrame[] {
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    const frames: LibvirtFrame[] = [];
    while (this.pendingLength >= 4) {
      const head = this.peekLength();
      if (head < HEADER_SIZE) {
        throw new LibvirtProtocolError(
          `Malformed libvirt frame: length ${head} is shorter than the ${HEADER_SIZE}-byte header.`,
        );
      }
      if (head > this.maxFrameSize) {
        throw new LibvirtProtocolError(
          `Oversized libvirt frame: ${head} bytes, over the ${this.maxFrameSize}-byte limit (option maxFrameSize).`,
        );
      }
      if (this.pendingLength < head) break;
      const frame = this.take(head);
      frames.push({
        program: frame.readUInt32BE(4),
        version: frame.readUInt32BE(8),
        procedure: frame.readInt32BE(12),
        type: frame.readInt32BE(16),
        serial: frame.readUInt32BE(20),
        status: frame.readInt32BE(24),
        body: frame.subarray(HEADER_SIZE),
      });
    }
    return frames;
  }

  private peekLength(): number {
    const first = this.pending[0] as Buffer;
    if (first.length >= 4) return first.readUInt32BE(0);
    this.pending = [Buffer.concat(this.pending)];
    return (this.pending[0] as Buffer).readUInt32BE(0);
  }

  private take(size: number): Buffer {
    const all = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    const frame = all.subarray(0, size);
    const rest = all.subarray(size);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingLength = rest.length;
    return frame;
  }
}

/** Encodes one message: length word, header, body. */
export function encodeFrame(header: Omit<LibvirtFrame, 'body'>, body: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_SIZE + body.length);
  frame.writeUInt32BE(HEADER_SIZE + body.length, 0);
  frame.writeUInt32BE(header.program, 4);
  frame.writeUInt32BE(header.version, 8);
  frame.writeInt32BE(header.procedure, 12);
  frame.writeInt32BE(header.type, 16);
  frame.writeUInt32BE(header.serial, 20);
  frame.writeInt32BE(header.status, 24);
  body.copy(frame, HEADER_SIZE);
  return frame;
}
