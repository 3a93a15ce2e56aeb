import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * Test harness: starts root `libvirtd` daemons for the tests, each one under `tini -s` (so destroyed qemu processes
 * are reaped at once) in its own private mount namespace, with private `/run`, `/var` and `/etc/libvirt` bind
 * mounts, a distinct `host_uuid` (two daemons can then live-migrate between each other) and its own socket path.
 *
 * The base directory lives under /tmp on purpose: a base under /var would be hidden by the /var bind mount.
 */

/** Where every daemon's private tree lives. */
const BASE_DIRECTORY = process.env.NOVACRON_KVM_BASE ?? '/tmp/novacron-kvm';

const REQUIRED_BINARIES = ['/usr/sbin/libvirtd', '/usr/bin/tini', '/usr/bin/unshare', '/usr/bin/virsh'];

const INSTALL_HINT =
  'Install them with: apt-get update && apt-get install -y --no-install-recommends libvirt-daemon ' +
  'libvirt-daemon-driver-qemu libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils tini (as root).';

/** What went wrong when libvirtd cannot be run here, or undefined when it can. */
function missingLibvirtReason(): string | undefined {
  const missing = REQUIRED_BINARIES.filter((path) => !existsSync(path));
  if (missing.length > 0) return `missing ${missing.join(', ')}. ${INSTALL_HINT}`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'the tests start root libvirtd daemons in private mount namespaces and must run as root.';
  }
  return undefined;
}

/**
 * True when real libvirtd daemons can be started. Under `CI=true` a missing libvirtd throws (a loud failure);
 * locally it returns false and prints how to install it, so the suites skip.
 */
export function libvirtAvailable(): boolean {
  const reason = missingLibvirtReason();
  if (reason === undefined) return true;
  if (process.env.CI === 'true') {
    throw new Error(`driver-kvm tests need a real libvirtd under CI, but ${reason}`);
  }
  console.warn(`[driver-kvm] skipping libvirtd tests: ${reason}`);
  return false;
}

/** True when qemu guests can use KVM acceleration here (else TCG). */
export function kvmAccelerationWorks(): boolean {
  try {
    execFileSync('/usr/bin/test', ['-w', '/dev/kvm']);
    return process.env.NOVACRON_KVM_FORCE_TCG !== '1';
  } catch {
    return false;
  }
}

/** Options for {@link startLibvirtDaemon}. */
export interface LibvirtDaemonOptions {
  /** A short unique name (used in paths). */
  name: string;
  /** The daemon's host UUID. Default: a random v4 UUID. */
  hostUuid?: string | undefined;
  /** First TCP port for incoming migrations (64 ports are reserved). Default 49152. */
  migrationPortMin?: number | undefined;
  /** Also listen for plain TCP on 127.0.0.1 at this port (auth none: tests only). Default: no TCP. */
  tcpPort?: number | undefined;
  /** Also listen for TLS on 127.0.0.1, with these PEM files (checked client certificates). Default: no TLS. */
  tls?: { port: number; caFile: string; certFile: string; keyFile: string } | undefined;
}

/** A running daemon started by {@link startLibvirtDaemon}. */
export interface LibvirtDaemon {
  /** The name it was started with. */
  readonly name: string;
  /** Its private root directory. */
  readonly root: string;
  /** Its UNIX socket (in the host's view of the file system). */
  readonly socketPath: string;
  /** Its host UUID. */
  readonly hostUuid: string;
  /** `qemu+unix:///system?socket=...` for qemu guests, or `test+unix:///default?socket=...` for the test driver. */
  uri(driver?: 'qemu' | 'test'): string;
  /** The pid of the `tini` process that supervises the daemon (a new one after {@link LibvirtDaemon.restart}). */
  readonly pid: number;
  /** The pid of libvirtd itself (for fault tests), read from its pid file. */
  libvirtdPid(): number;
  /** Kills the daemon hard (for fault tests); `stop` still cleans up afterwards. */
  kill(): void;
  /**
   * Stops libvirtd gracefully (SIGTERM) and starts it again on the same private tree, as a service restart does:
   * persistent domains are loaded back from their configuration, and every shut-off one then reads libvirt's
   * shut-off reason `unknown`. Meant for daemons whose guests are shut off: what becomes of a running guest across
   * the restart is not what the tests look at (`stop` still kills leftover qemu processes by their pid files).
   */
  restart(): Promise<void>;
  /** Destroys every running guest, then stops the daemon and removes its tree. Safe to call twice. */
  stop(): Promise<void>;
}

const running = new Set<LibvirtDaemon>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when a test run dies without its afterAll: kill guests and daemons synchronously.
  process.once('exit', () => {
    for (const daemon of running) emergencyStop(daemon);
  });
  // A signal ends the process without 'exit': clean up, then die of the same signal.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const daemon of running) emergencyStop(daemon);
      process.kill(process.pid, signal);
    });
  }
}

function qemuPids(root: string): number[] {
  const directory = join(root, 'run', 'libvirt', 'qemu');
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((file) => file.endsWith('.pid'))
    .map((file) => Number.parseInt(readFileSync(join(directory, file), 'utf8').trim(), 10))
    .filter((pid) => Number.isInteger(pid) && pid > 1);
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function emergencyStop(daemon: LibvirtDaemon): void {
  daemon.kill();
  rmSync(daemon.root, { recursive: true, force: true });
}

function writeConfiguration(root: string, hostUuid: string, options: LibvirtDaemonOptions): void {
  const migrationPortMin = options.migrationPortMin ?? 49152;
  for (const directory of [
    'run',
    'var/lib/libvirt',
    'var/log/libvirt',
    'var/cache/libvirt',
    'var/tmp',
    'etc/qemu',
  ]) {
    mkdirSync(join(root, directory), { recursive: true });
  }
  if (!existsSync(join(root, 'var/run'))) symlinkSync('/run', join(root, 'var/run'));
  writeFileSync(
    join(root, 'etc/libvirtd.conf'),
    [
      `host_uuid = "${hostUuid}"`,
      'unix_sock_group = "root"',
      'unix_sock_rw_perms = "0770"',
      'auth_unix_ro = "none"',
      'auth_unix_rw = "none"',
      'log_outputs = "3:file:/var/log/libvirt/libvirtd.log"',
      `listen_tcp = ${options.tcpPort === undefined ? 0 : 1}`,
      `listen_tls = ${options.tls === undefined ? 0 : 1}`,
      'listen_addr = "127.0.0.1"',
      'auth_tcp = "none"',
      'auth_tls = "none"',
      ...(options.tcpPort === undefined ? [] : [`tcp_port = "${options.tcpPort}"`]),
      ...(options.tls === undefined
        ? []
        : [
            `tls_port = "${options.tls.port}"`,
            `ca_file = "${options.tls.caFile}"`,
            `cert_file = "${options.tls.certFile}"`,
            `key_file = "${options.tls.keyFile}"`,
          ]),
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(root, 'etc/qemu.conf'),
    [
      'user = "root"',
      'group = "root"',
      'dynamic_ownership = 0',
      'remember_owner = 0',
      'security_driver = "none"',
      'cgroup_controllers = [ ]',
      'namespaces = [ ]',
      'stdio_handler = "file"',
      `migration_port_min = ${migrationPortMin}`,
      `migration_port_max = ${migrationPortMin + 63}`,
      '',
    ].join('\n'),
  );
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts a root libvirtd in a private mount namespace under `tini -s` and waits for its socket.
 *
 * @example
 * const daemon = await startLibvirtDaemon({ name: 'src' });
 * try { ... daemon.uri('qemu') ... } finally { await daemon.stop(); }
 */
export async function startLibvirtDaemon(options: LibvirtDaemonOptions): Promise<LibvirtDaemon> {
  installExitHook();
  const root = join(BASE_DIRECTORY, `${options.name}-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  const hostUuid = options.hostUuid ?? crypto.randomUUID();
  writeConfiguration(root, hostUuid, options);
  const listen = options.tcpPort !== undefined || options.tls !== undefined ? ' --listen' : '';
  const socketPath = join(root, 'run/libvirt/libvirt-sock');
  const script =
    `mount --bind ${root}/run /run && mount --bind ${root}/etc /etc/libvirt && ` +
    `mount --bind ${root}/var /var && exec /usr/sbin/libvirtd --pid-file /run/libvirtd.pid --timeout 0${listen}`;
  /** Spawns libvirtd on the tree; `exited` turns true when its supervisor ends. */
  const launch = (): { pid: number; exited: () => boolean } => {
    const child: ChildProcess = spawn(
      '/usr/bin/unshare',
      ['--mount', '--propagation', 'private', '--', '/usr/bin/tini', '-s', '--', '/bin/sh', '-c', script],
      { stdio: 'ignore', detached: true },
    );
    child.unref();
    if (child.pid === undefined) throw new Error(`could not spawn libvirtd '${options.name}'`);
    let gone = false;
    child.once('exit', () => {
      gone = true;
    });
    return { pid: child.pid, exited: () => gone };
  };
  let current = launch();
  const exited = () => current.exited();
  /** Waits for the socket of a just-launched libvirtd; throws with its log when it died during start-up. */
  const waitForSocket = async (): Promise<void> => {
    await waitFor(() => existsSync(socketPath) || exited(), 15_000, `libvirtd '${options.name}' socket`);
    if (exited()) {
      const log = join(root, 'var/log/libvirt/libvirtd.log');
      const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '(no log)';
      throw new Error(`libvirtd '${options.name}' exited during start-up. Log:\n${tail}`);
    }
  };
  const uri = (driver: 'qemu' | 'test' = 'qemu'): string =>
    driver === 'qemu'
      ? `qemu+unix:///system?socket=${socketPath}`
      : `test+unix:///default?socket=${socketPath}`;
  let stopped = false;
  const daemon: LibvirtDaemon = {
    name: options.name,
    root,
    socketPath,
    hostUuid,
    get pid() {
      return current.pid;
    },
    uri,
    libvirtdPid() {
      return Number.parseInt(readFileSync(join(root, 'run/libvirtd.pid'), 'utf8').trim(), 10);
    },
    kill() {
      for (const qemuPid of qemuPids(root)) killQuietly(qemuPid, 'SIGKILL');
      killQuietly(current.pid, 'SIGKILL');
      try {
        killQuietly(daemon.libvirtdPid(), 'SIGKILL');
      } catch {
        // no pid file: nothing more to kill
      }
    },
    async restart() {
      if (stopped) throw new Error(`libvirtd '${options.name}' was stopped; start a new one`);
      const libvirtd = daemon.libvirtdPid();
      killQuietly(libvirtd, 'SIGTERM');
      await waitFor(() => exited(), 15_000, `libvirtd '${options.name}' to exit for a restart`);
      // libvirtd removes neither its socket nor its pid file on every path: the new daemon's socket is awaited.
      rmSync(socketPath, { force: true });
      rmSync(join(root, 'run/libvirtd.pid'), { force: true });
      current = launch();
      await waitForSocket();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (!exited() && existsSync(socketPath)) {
        // libvirtd leaves guests running when it exits: destroy them first.
        try {
          const names = execFileSync('/usr/bin/virsh', ['-c', uri('qemu'), 'list', '--name'], {
            encoding: 'utf8',
            timeout: 10_000,
          })
            .split('\n')
            .map((line) => line.trim())
            .filter(Boolean);
          for (const name of names) {
            execFileSync('/usr/bin/virsh', ['-c', uri('qemu'), 'destroy', name], {
              stdio: 'ignore',
              timeout: 10_000,
            });
          }
        } catch {
          // fall through to the hard kill of leftover qemu processes below
        }
      }
      for (const qemuPid of qemuPids(root)) killQuietly(qemuPid, 'SIGKILL');
      killQuietly(current.pid, 'SIGTERM');
      try {
        await waitFor(exited, 5_000, `libvirtd '${options.name}' to exit`);
      } catch {
        killQuietly(current.pid, 'SIGKILL');
        await waitFor(exited, 5_000, `libvirtd '${options.name}' to die`);
      }
      running.delete(daemon);
      rmSync(root, { recursive: true, force: true });
    },
  };
  running.add(daemon);
  try {
    await waitForSocket();
  } catch (error) {
    await daemon.stop();
    throw error;
  }
  return daemon;
}
