import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Test harness: a per-user "session" libvirtd (what `qemu:///session` talks to) run as a throwaway unprivileged
 * user created with `useradd`, with its own HOME and XDG_RUNTIME_DIR under /tmp. libvirtd started by a non-root
 * user serves the session URIs; its socket is `$XDG_RUNTIME_DIR/libvirt/libvirt-sock`.
 */

const REQUIRED_BINARIES = [
  '/usr/sbin/libvirtd',
  '/usr/sbin/useradd',
  '/usr/sbin/userdel',
  '/usr/bin/setpriv',
];

/** The throwaway user the session daemon runs as. */
const SESSION_USER = 'novacron-session';

/**
 * True when a session daemon can be started for the tests (libvirtd, useradd and setpriv present, running as root).
 * Under `CI=true` a missing piece throws; locally it returns false and prints why, so the suite skips.
 */
export function sessionDaemonAvailable(): boolean {
  const missing = REQUIRED_BINARIES.filter((path) => !existsSync(path));
  let reason: string | undefined;
  if (missing.length > 0) {
    reason = `missing ${missing.join(', ')} (packages libvirt-daemon, passwd, util-linux).`;
  } else if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    reason = 'the test creates a throwaway user for the session daemon and must run as root.';
  }
  if (reason === undefined) return true;
  if (process.env.CI === 'true')
    throw new Error(`driver-kvm session tests need root and libvirtd under CI, but ${reason}`);
  console.warn(`[driver-kvm] skipping qemu:///session tests: ${reason}`);
  return false;
}

/** A running session daemon started by {@link startSessionDaemon}. */
export interface SessionDaemon {
  /** The user it runs as. */
  readonly user: string;
  /** That user's HOME (libvirt keeps session domain definitions under `~/.config/libvirt/qemu`). */
  readonly home: string;
  /** Its XDG_RUNTIME_DIR. */
  readonly runtimeDirectory: string;
  /** Its UNIX socket. */
  readonly socketPath: string;
  /** The pid of libvirtd. */
  readonly pid: number;
  /** Stops the daemon by its pid, removes its directories and the user if this harness created it. Safe twice. */
  stop(): Promise<void>;
}

function userExists(user: string): boolean {
  try {
    execFileSync('/usr/bin/id', ['-u', user], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function uidOf(user: string, flag: '-u' | '-g'): number {
  return Number.parseInt(execFileSync('/usr/bin/id', [flag, user], { encoding: 'utf8' }).trim(), 10);
}

/**
 * Creates the throwaway user if needed and starts `libvirtd --timeout 0` as that user, waiting for its socket.
 *
 * @example
 * const session = await startSessionDaemon();
 * try { new LibvirtClient(`qemu+unix:///session?socket=${session.socketPath}`) } finally { await session.stop(); }
 */
export async function startSessionDaemon(): Promise<SessionDaemon> {
  const home = mkdtempSync('/tmp/novacron-kvm-session-');
  const createdUser = !userExists(SESSION_USER);
  if (createdUser) {
    execFileSync('/usr/sbin/useradd', [
      '--system',
      '--no-create-home',
      '--home-dir',
      home,
      '--shell',
      '/usr/sbin/nologin',
      SESSION_USER,
    ]);
  }
  const uid = uidOf(SESSION_USER, '-u');
  const gid = uidOf(SESSION_USER, '-g');
  const runtimeDirectory = join(home, 'run');
  mkdirSync(runtimeDirectory, { mode: 0o700 });
  chownSync(home, uid, gid);
  chownSync(runtimeDirectory, uid, gid);
  const socketPath = join(runtimeDirectory, 'libvirt', 'libvirt-sock');
  const child: ChildProcess = spawn(
    '/usr/bin/setpriv',
    [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', '/usr/sbin/libvirtd', '--timeout', '0'],
    {
      cwd: home,
      env: { HOME: home, XDG_RUNTIME_DIR: runtimeDirectory, PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-4000);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn the session libvirtd');
  const killHard = (): void => {
    if (!exited) process.kill(pid, 'SIGKILL');
  };
  process.once('exit', killHard);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killHard);
    if (!exited) process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 5_000;
    while (!exited && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    killHard();
    while (!exited) await new Promise((resolve) => setTimeout(resolve, 50));
    if (createdUser) execFileSync('/usr/sbin/userdel', [SESSION_USER], { stdio: 'ignore' });
    rmSync(home, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (!existsSync(socketPath)) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`the session libvirtd did not start. Its log:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { user: SESSION_USER, home, runtimeDirectory, socketPath, pid, stop };
}

/** The uid a process runs as, from /proc. */
export function processUid(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('Uid:'));
  return Number.parseInt(line?.split(/\s+/)[1] ?? '-1', 10);
}
