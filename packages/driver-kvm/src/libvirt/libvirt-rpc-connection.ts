import type { Duplex } from 'node:stream';
import { LibvirtConnectionError, LibvirtError, LibvirtProtocolError } from './libvirt-error.js';
import { encodeFrame, type LibvirtFrame, LibvirtFrameDecoder } from './libvirt-frame-decoder.js';
import {
  KEEPALIVE_PROGRAM,
  KeepaliveProcedure,
  MessageStatus,
  MessageType,
  REMOTE_PROGRAM,
  REMOTE_PROTOCOL_VERSION,
} from './libvirt-protocol.js';
import { XdrReader } from './xdr-reader.js';

/** How a {@link LibvirtRpcConnection} behaves. */
export interface LibvirtRpcConnectionOptions {
  /** Where it is connected (for messages). */
  target: string;
  /** Largest frame accepted from the daemon. Default 32 MiB (libvirt's own limit). */
  maxFrameSize: number;
  /** Send a keepalive ping after this long without traffic; 0 turns keepalive off. Default 5,000 ms. */
  keepaliveIntervalMs: number;
  /** Declare the connection dead after this many unanswered intervals. Default 5. */
  keepaliveCount: number;
  /** Called with every async event message (`type = MESSAGE`) of the remote program. */
  onEvent(procedure: number, body: XdrReader): void;
  /** Called once when the connection closes, with why. */
  onClose(error: Error): void;
}

interface PendingCall {
  procedureName: string;
  decode: (reader: XdrReader) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

function readRemoteError(body: Buffer, procedureName: string): LibvirtError {
  const reader = new XdrReader(body);
  const code = reader.int();
  const domain = reader.int();
  const message = reader.optionalString() ?? `libvirt error ${code}`;
  const level = reader.int();
  // remote_domain dom (optional): name, uuid, id
  const domainName = reader.uint() === 1 ? reader.string() : undefined;
  return new LibvirtError({ code, domain, message, level, domainName }, procedureName);
}

/**
 * One open connection to a daemon speaking libvirt's remote protocol: frames calls, matches replies to calls by
 * serial (many calls may be in flight at once), hands async events to `onEvent`, answers and sends keepalives, and
 * fails every pending call when the stream breaks or sends something malformed.
 *
 * Most users want {@link LibvirtClient}, which adds URIs, reconnects and typed procedures.
 */
export class LibvirtRpcConnection {
  private readonly decoder: LibvirtFrameDecoder;
  private readonly pending = new Map<number, PendingCall>();
  private nextSerial = 1;
  private closedWith: Error | undefined;
  private lastReceivedAt = Date.now();
  private keepaliveTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: Duplex,
    private readonly options: LibvirtRpcConnectionOptions,
  ) {
    this.decoder = new LibvirtFrameDecoder(options.maxFrameSize);
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.resume();
    stream.on('error', (error: Error) =>
      this.fail(
        new LibvirtConnectionError(
          `libvirt connection to ${options.target} failed: ${error.message}`,
          options.target,
          // A transport that was refused (ssh key or host key) stays refused.
          { cause: error, refused: error instanceof LibvirtConnectionError && error.refused },
        ),
      ),
    );
    stream.on('close', () =>
      this.fail(
        new LibvirtConnectionError(
          `libvirt connection to ${options.target} closed by the daemon.`,
          options.target,
        ),
      ),
    );
    if (options.keepaliveIntervalMs > 0) {
      this.keepaliveTimer = setInterval(() => this.checkKeepalive(), options.keepaliveIntervalMs);
      this.keepaliveTimer.unref();
    }
  }

  /** True until the connection has closed or failed. */
  get isOpen(): boolean {
    return this.closedWith === undefined;
  }

  /** Calls in flight. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Sends one call and resolves with the decoded reply. Fails with a {@link LibvirtError} when the daemon reports an
   * error, a {@link LibvirtConnectionError} when the connection is lost before the reply, or a
   * {@link LibvirtProtocolError} when the reply is malformed (the connection is then closed).
   */
  call<T>(
    procedure: number,
    procedureName: string,
    body: Buffer,
    decode: (reader: XdrReader) => T,
  ): Promise<T> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    const serial = this.nextSerial;
    this.nextSerial = (this.nextSerial + 1) >>> 0 || 1;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(serial, {
        procedureName,
        decode,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.stream.write(
        encodeFrame(
          {
            program: REMOTE_PROGRAM,
            version: REMOTE_PROTOCOL_VERSION,
            procedure,
            type: MessageType.CALL,
            serial,
            status: MessageStatus.OK,
          },
          body,
        ),
      );
    });
  }

  /** Closes the stream; pending calls fail with `reason`. */
  close(reason?: Error): void {
    this.fail(
      reason ??
        new LibvirtConnectionError(
          `libvirt connection to ${this.options.target} was closed by the client.`,
          this.options.target,
        ),
    );
  }

  private onData(chunk: Buffer): void {
    this.lastReceivedAt = Date.now();
    let frames: LibvirtFrame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    for (const frame of frames) {
      if (this.closedWith !== undefined) return;
      this.onFrame(frame);
    }
  }

  private onFrame(frame: LibvirtFrame): void {
    if (frame.program === KEEPALIVE_PROGRAM) {
      if (frame.procedure === KeepaliveProcedure.PING) this.sendKeepalive(KeepaliveProcedure.PONG);
      return;
    }
    if (frame.program !== REMOTE_PROGRAM) return;
    if (frame.type === MessageType.MESSAGE) {
      try {
        this.options.onEvent(frame.procedure, new XdrReader(frame.body));
      } catch (error) {
        if (error instanceof LibvirtProtocolError) this.fail(error);
        else throw error;
      }
      return;
    }
    if (frame.type !== MessageType.REPLY) return;
    const call = this.pending.get(frame.serial);
    if (call === undefined) return;
    this.pending.delete(frame.serial);
    try {
      if (frame.status === MessageStatus.ERROR) {
        call.reject(readRemoteError(frame.body, call.procedureName));
      } else {
        call.resolve(call.decode(new XdrReader(frame.body)));
      }
    } catch (error) {
      const protocolError =
        error instanceof LibvirtProtocolError
          ? error
          : new LibvirtProtocolError(
              `Malformed libvirt reply to ${call.procedureName}: ${error instanceof Error ? error.message : String(error)}`,
            );
      call.reject(protocolError);
      this.fail(protocolError);
    }
  }

  private sendKeepalive(procedure: number): void {
    if (this.closedWith !== undefined) return;
    this.stream.write(
      encodeFrame(
        {
          program: KEEPALIVE_PROGRAM,
          version: 1,
          procedure,
          type: MessageType.MESSAGE,
          serial: 0,
          status: MessageStatus.OK,
        },
        Buffer.alloc(0),
      ),
    );
  }

  private checkKeepalive(): void {
    const silentFor = Date.now() - this.lastReceivedAt;
    const limit = this.options.keepaliveIntervalMs * this.options.keepaliveCount;
    if (silentFor >= limit) {
      this.fail(
        new LibvirtConnectionError(
          `libvirt connection to ${this.options.target} timed out: no answer to keepalives for ${silentFor} ms.`,
          this.options.target,
        ),
      );
    } else if (silentFor >= this.options.keepaliveIntervalMs) {
      this.sendKeepalive(KeepaliveProcedure.PING);
    }
  }

  private fail(error: Error): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = error;
    if (this.keepaliveTimer !== undefined) clearInterval(this.keepaliveTimer);
    this.stream.destroy();
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) call.reject(error);
    this.options.onClose(error);
  }
}
