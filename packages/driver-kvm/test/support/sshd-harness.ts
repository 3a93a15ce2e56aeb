import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * Test harness: a real OpenSSH server on 127.0.0.1 for the `qemu+ssh://` tests, with a throwaway host key and
 * client keys in a temporary directory. It runs inside a libvirtd's private mount namespace (see
 * libvirt-daemon-harness.ts), so on the "remote" side `/run/libvirt/libvirt-sock` is that daemon's socket, as on a
 * real host, and `virt-ssh-helper` finds it.
 */

const REQUIRED_BINARIES = [
  '/usr/sbin/sshd',
  '/usr/bin/ssh',
  '/usr/bin/ssh-keygen',
  '/usr/bin/nc',
  '/usr/bin/nsenter',
];

const INSTALL_HINT =
  'Install them with: apt-get install -y --no-install-recommends openssh-server openssh-client netcat-openbsd (as root).';

/**
 * True when a real sshd can be started for the tests. Under `CI=true` a missing tool throws (a loud failure);
 * locally it returns false and prints how to install it, so the suite skips.
 */
export function sshdAvailable(): boolean {
  const missing = REQUIRED_BINARIES.filter((path) => !existsSync(path));
  if (missing.length === 0) return true;
  const reason = `missing ${missing.join(', ')}. ${INSTALL_HINT}`;
  if (process.env.CI === 'true') throw new Error(`driver-kvm ssh tests need OpenSSH under CI, but ${reason}`);
  console.warn(`[driver-kvm] skipping real sshd tests: ${reason}`);
  return false;
}

/** A free TCP port on 127.0.0.1 (the kernel picks it). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** A running sshd started by {@link startSshd}. */
export interface TestSshd {
  /** Its port on 127.0.0.1. */
  readonly port: number;
  /** The private key sshd accepts for root. */
  readonly keyFile: string;
  /** A private key sshd does not accept. */
  readonly wrongKeyFile: string;
  /** A known_hosts file holding sshd's host key for `[127.0.0.1]:port`. */
  readonly knownHostsFile: string;
  /** Stops sshd by its pid and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

function keygen(file: string): void {
  execFileSync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], { stdio: 'ignore' });
}

/**
 * Starts `sshd -D` as root on 127.0.0.1 inside the mount namespace of process `namespacePid`, accepting only a fresh
 * client key for root, and waits until it accepts connections.
 *
 * @example
 * const sshd = await startSshd({ directory, namespacePid: daemon.libvirtdPid() });
 * try { ... `qemu+ssh://root@127.0.0.1:${sshd.port}/system?keyfile=${sshd.keyFile}` ... } finally { await sshd.stop(); }
 */
export async function startSshd(options: { directory: string; namespacePid: number }): Promise<TestSshd> {
  const { directory } = options;
  const hostKey = join(directory, 'ssh_host_ed25519_key');
  const keyFile = join(directory, 'id_client');
  const wrongKeyFile = join(directory, 'id_wrong');
  for (const file of [hostKey, keyFile, wrongKeyFile]) keygen(file);
  const authorizedKeys = join(directory, 'authorized_keys');
  writeFileSync(authorizedKeys, readFileSync(`${keyFile}.pub`));
  const port = await freePort();
  const knownHostsFile = join(directory, 'known_hosts');
  writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${readFileSync(`${hostKey}.pub`, 'utf8')}`);
  const pidFile = join(directory, 'sshd.pid');
  const configFile = join(directory, 'sshd_config');
  writeFileSync(
    configFile,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      `PidFile ${pidFile}`,
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'PrintMotd no',
      'PrintLastLog no',
      '',
    ].join('\n'),
  );
  // The privilege separation directory, in the namespace's private /run.
  execFileSync('/usr/bin/nsenter', [
    '--mount',
    '--target',
    String(options.namespacePid),
    '--',
    'mkdir',
    '-p',
    '/run/sshd',
  ]);
  const child: ChildProcess = spawn(
    '/usr/bin/nsenter',
    [
      '--mount',
      '--target',
      String(options.namespacePid),
      '--',
      '/usr/sbin/sshd',
      '-D',
      '-e',
      '-f',
      configFile,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
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
  if (pid === undefined) throw new Error('could not spawn sshd');
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const deadline = Date.now() + 5_000;
    while (!exited && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    if (!exited) process.kill(pid, 'SIGKILL');
  };
  process.once('exit', () => {
    if (!exited) process.kill(pid, 'SIGKILL');
  });
  const deadline = Date.now() + 10_000;
  while (!existsSync(pidFile) || !/Server listening/.test(log)) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`sshd did not start on 127.0.0.1:${port}. Its log:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, keyFile, wrongKeyFile, knownHostsFile, stop };
}
