import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** How the client reaches the daemon. */
export type LibvirtTransportKind = 'unix' | 'tcp' | 'tls' | 'ssh';

/** A libvirt connection URI, taken apart. */
export interface ParsedLibvirtUri {
  /** The hypervisor driver (`qemu`, `test`). */
  driver: string;
  /** The transport. */
  transport: LibvirtTransportKind;
  /** Remote host (tcp, tls, ssh). */
  host?: string | undefined;
  /** Remote port. Default: 16509 (tcp), 16514 (tls), 22 (ssh). */
  port?: number | undefined;
  /** Remote user (ssh). */
  user?: string | undefined;
  /** The daemon's UNIX socket (unix, and ssh where the remote end uses `nc`). */
  socketPath?: string | undefined;
  /** The URI the daemon opens (`qemu:///system`): the same URI without transport, host and client options. */
  openName: string;
  /** Query parameters (`socket`, `pkipath`, `keyfile`, `no_verify`...). */
  query: Record<string, string>;
  /** The URI with any password removed, for messages. */
  display: string;
}

const DEFAULT_PORTS: Record<string, number> = { tcp: 16509, tls: 16514, ssh: 22 };

function defaultSocketPath(path: string): string {
  if (path === '/session') {
    const runtime = process.env.XDG_RUNTIME_DIR ?? join(homedir(), '.cache');
    return join(runtime, 'libvirt', 'libvirt-sock');
  }
  // Monolithic libvirtd (Debian 12) listens on libvirt-sock; modular daemons on virtqemud-sock.
  for (const candidate of ['/run/libvirt/libvirt-sock', '/run/libvirt/virtqemud-sock']) {
    if (existsSync(candidate)) return candidate;
  }
  return '/run/libvirt/libvirt-sock';
}

/**
 * Parses a libvirt URI as libvirt writes them: `qemu:///system`, `qemu:///session`,
 * `qemu+unix:///system?socket=/path`, `qemu+tcp://host/system`, `qemu+tls://host/system`,
 * `qemu+ssh://user@host/system`, `test+unix:///default?socket=/path`.
 *
 * @throws TypeError on a URI that is not a libvirt URI or names an unknown transport.
 * @example
 * parseLibvirtUri('qemu+ssh://root@host1/system').openName; // 'qemu:///system'
 */
export function parseLibvirtUri(uri: string): ParsedLibvirtUri {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new TypeError(
      `"${uri}" is not a libvirt URI (expected e.g. qemu:///system or qemu+ssh://host/system).`,
    );
  }
  const scheme = url.protocol.slice(0, -1);
  const [driver, transportName] = scheme.split('+', 2) as [string, string | undefined];
  const host = url.hostname === '' ? undefined : decodeURIComponent(url.hostname);
  const transport = (transportName ?? (host === undefined ? 'unix' : 'tls')) as LibvirtTransportKind;
  if (!['unix', 'tcp', 'tls', 'ssh'].includes(transport)) {
    throw new TypeError(
      `libvirt URI "${uri}" uses transport "${transport}"; supported: unix, tcp, tls, ssh.`,
    );
  }
  if (driver === '' || !/^[a-z][a-z0-9]*$/.test(driver)) {
    throw new TypeError(`libvirt URI "${uri}" has no hypervisor driver (qemu, test...).`);
  }
  const query = Object.fromEntries(url.searchParams.entries());
  const path = url.pathname === '' ? '/system' : url.pathname;
  const port = url.port === '' ? DEFAULT_PORTS[transport] : Number.parseInt(url.port, 10);
  const socketPath = query.socket ?? (transport === 'unix' ? defaultSocketPath(path) : undefined);
  const display = uri.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1@');
  return {
    driver,
    transport,
    host,
    port,
    user: url.username === '' ? undefined : decodeURIComponent(url.username),
    socketPath,
    openName: `${driver}://${path}`,
    query,
    display,
  };
}
