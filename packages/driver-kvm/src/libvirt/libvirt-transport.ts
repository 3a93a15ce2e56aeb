import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect as connectNet } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as connectTls } from 'node:tls';
import { LibvirtConnectionError } from './libvirt-error.js';
import type { ParsedLibvirtUri } from './libvirt-uri.js';

/** Node's codes for a server certificate it does not trust: retrying will not help. */
const TLS_TRUST_ERRORS =
  /^(UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|CERT_|ERR_TLS_CERT_ALTNAME_INVALID)/;

/** What OpenSSH prints when it refuses the client's key or the server's host key: retrying will not help. */
const SSH_REFUSALS = /Permission denied|Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/;

/** TLS client settings for `qemu+tls://` (libvirt's default file locations apply to what is not given). */
export interface LibvirtTlsOptions {
  /** CA certificate (PEM). Default: read from `<pkipath>/cacert.pem` or `/etc/pki/CA/cacert.pem`. */
  ca?: string | Buffer | undefined;
  /** Client certificate (PEM). Default: `<pkipath>/clientcert.pem` or `/etc/pki/libvirt/clientcert.pem`. */
  cert?: string | Buffer | undefined;
  /** Client key (PEM). Default: `<pkipath>/clientkey.pem` or `/etc/pki/libvirt/private/clientkey.pem`. */
  key?: string | Buffer | undefined;
  /** Check the server certificate against the host name. Default true (false with `?no_verify=1`). */
  verifyServer?: boolean | undefined;
}

/** SSH settings for `qemu+ssh://` (the system `ssh` client is used, with its own config and agent). */
export interface LibvirtSshOptions {
  /** The ssh binary. Default `ssh`. */
  command?: string | undefined;
  /** Extra ssh arguments (`-o`, `-i`...). Default none. */
  extraArgs?: readonly string[] | undefined;
}

/** How {@link openLibvirtTransport} connects. */
export interface LibvirtTransportOptions {
  /** TLS settings for `+tls`. */
  tls?: LibvirtTlsOptions | undefined;
  /** SSH settings for `+ssh`. */
  ssh?: LibvirtSshOptions | undefined;
  /** Give up connecting after this long. Default 10,000 ms. */
  connectTimeoutMs?: number | undefined;
}

function readPem(explicit: string | Buffer | undefined, candidates: string[]): Buffer | string | undefined {
  if (explicit !== undefined) return explicit;
  for (const path of candidates) {
    try {
      return readFileSync(path);
    } catch {
      // try the next location
    }
  }
  return undefined;
}

function sshStream(uri: ParsedLibvirtUri, options: LibvirtSshOptions | undefined): Duplex {
  const args = ['-T', '-e', 'none', '-o', 'BatchMode=yes'];
  if (uri.port !== undefined && uri.port !== 22) args.push('-p', String(uri.port));
  if (uri.user !== undefined) args.push('-l', uri.user);
  if (uri.query.keyfile !== undefined) args.push('-i', uri.query.keyfile);
  if (uri.query.known_hosts !== undefined) args.push('-o', `UserKnownHostsFile=${uri.query.known_hosts}`);
  if (uri.query.no_verify === '1') args.push('-o', 'StrictHostKeyChecking=no');
  args.push(...(options?.extraArgs ?? []), '--', uri.host ?? 'localhost');
  // Like libvirt: `nc -U socket` when a socket is named, else the remote `virt-ssh-helper` (libvirt >= 8.5).
  const remote =
    uri.query.socket !== undefined
      ? `nc -U '${uri.query.socket.replaceAll("'", "'\\''")}'`
      : `virt-ssh-helper '${uri.openName.replaceAll("'", "'\\''")}'`;
  args.push(remote);
  const child = spawn(options?.command ?? 'ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  // ssh names the key file in its complaints ("Identity file ... not accessible"): where a key lives stays out of
  // messages, which end up in logs.
  const keyfile = uri.query.keyfile;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    if (keyfile !== undefined && keyfile !== '') stderr = stderr.replaceAll(keyfile, '[keyfile]');
  });
  // Writes to a dead ssh fail with EPIPE; the exit handler below says why instead.
  child.stdin.on('error', () => undefined);
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      if (child.stdin.writable) child.stdin.write(chunk);
      callback();
    },
    destroy(error, callback) {
      child.kill();
      callback(error);
    },
  });
  child.stdout.on('data', (chunk: Buffer) => stream.push(chunk));
  child.once('exit', (code) => {
    // A refused key or an unknown host key will be refused again: not worth a retry.
    const refused = SSH_REFUSALS.test(stderr);
    stream.destroy(
      new LibvirtConnectionError(
        `ssh to ${uri.host} exited with code ${code}${stderr === '' ? '' : `: ${stderr.trim()}`}${
          refused
            ? ' (check the key: keyfile=, the host key: known_hosts=, and the remote authorized_keys)'
            : ''
        }`,
        uri.display,
        { refused },
      ),
    );
  });
  child.once('error', (error) =>
    stream.destroy(
      new LibvirtConnectionError(`cannot run ssh for ${uri.display}: ${error.message}`, uri.display, {
        cause: error,
      }),
    ),
  );
  return stream;
}

/**
 * After the TLS handshake libvirtd sends one byte: 1 when it accepted the client certificate. Anything else, or
 * the connection closing, means it refused the client.
 */
function awaitTlsAccept(stream: Duplex, uri: ParsedLibvirtUri): Promise<void> {
  return new Promise((resolve, reject) => {
    const refused = (detail: string): void => {
      cleanup();
      stream.destroy();
      reject(
        new LibvirtConnectionError(
          `libvirtd at ${uri.display} refused the TLS client (${detail}). Check the client certificate and the daemon's tls_allowed_dn_list (see docs/kvm.md).`,
          uri.display,
          { refused: true },
        ),
      );
    };
    const onData = (chunk: Buffer): void => {
      cleanup();
      // Hold further bytes until the RPC connection listens (it resumes the stream).
      stream.pause();
      if (chunk[0] !== 1) {
        refused(`answer byte ${chunk[0]}`);
        return;
      }
      if (chunk.length > 1) stream.unshift(chunk.subarray(1));
      resolve();
    };
    const onClose = (): void => refused('connection closed after the handshake');
    const onError = (error: Error): void => refused(error.message);
    const cleanup = (): void => {
      stream.off('data', onData);
      stream.off('close', onClose);
      stream.off('error', onError);
    };
    stream.once('data', onData);
    stream.once('close', onClose);
    stream.once('error', onError);
  });
}

/**
 * Opens the byte stream to a daemon for a parsed URI: a UNIX socket, TCP, TLS with client certificates, or an SSH
 * tunnel through the system `ssh` client. Resolves once connected.
 *
 * @example
 * const stream = await openLibvirtTransport(parseLibvirtUri('qemu:///system'), {});
 */
export async function openLibvirtTransport(
  uri: ParsedLibvirtUri,
  options: LibvirtTransportOptions,
  signal?: AbortSignal,
): Promise<Duplex> {
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  let stream: Duplex;
  let readyEvent: string;
  switch (uri.transport) {
    case 'unix':
      stream = connectNet({ path: uri.socketPath ?? '/run/libvirt/libvirt-sock' });
      readyEvent = 'connect';
      break;
    case 'tcp':
      stream = connectNet({ host: uri.host ?? 'localhost', port: uri.port ?? 16509 });
      readyEvent = 'connect';
      break;
    case 'tls': {
      const pki = uri.query.pkipath;
      const tls = options.tls;
      const ca = readPem(tls?.ca, pki ? [`${pki}/cacert.pem`] : ['/etc/pki/CA/cacert.pem']);
      const cert = readPem(tls?.cert, pki ? [`${pki}/clientcert.pem`] : ['/etc/pki/libvirt/clientcert.pem']);
      const key = readPem(
        tls?.key,
        pki ? [`${pki}/clientkey.pem`] : ['/etc/pki/libvirt/private/clientkey.pem'],
      );
      stream = connectTls({
        host: uri.host ?? 'localhost',
        port: uri.port ?? 16514,
        servername: uri.host,
        ...(ca === undefined ? {} : { ca }),
        ...(cert === undefined ? {} : { cert }),
        ...(key === undefined ? {} : { key }),
        rejectUnauthorized: (tls?.verifyServer ?? true) && uri.query.no_verify !== '1',
      });
      readyEvent = 'secureConnect';
      break;
    }
    case 'ssh':
      // The tunnel is usable at once; a failed ssh shows up as the stream closing with ssh's message.
      return sshStream(uri, options.ssh);
  }
  return await new Promise<Duplex>((resolve, reject) => {
    const fail = (error: unknown): void => {
      cleanup();
      stream.destroy();
      const code = (error as { code?: unknown } | null)?.code;
      reject(
        new LibvirtConnectionError(
          `Cannot connect to libvirt at ${uri.display}: ${error instanceof Error ? error.message : String(error)}`,
          uri.display,
          { cause: error, refused: typeof code === 'string' && TLS_TRUST_ERRORS.test(code) },
        ),
      );
    };
    const onAbort = (): void => {
      // A cancelled connect is the caller's abort, not a connection failure.
      cleanup();
      stream.destroy();
      reject(signal?.reason);
    };
    const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      stream.off('error', fail);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.once('error', fail);
    stream.once(readyEvent, () => {
      if (uri.transport !== 'tls') {
        cleanup();
        resolve(stream);
        return;
      }
      stream.off('error', fail);
      awaitTlsAccept(stream, uri).then(
        () => {
          cleanup();
          resolve(stream);
        },
        (error: unknown) => {
          cleanup();
          reject(error);
        },
      );
    });
  });
}
