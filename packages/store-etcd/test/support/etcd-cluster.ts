import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Test harness: a real etcd cluster on loopback, each member a child process on free ports with its own temporary
 * data directory, which the tests can kill (SIGKILL), pause (SIGSTOP), resume (SIGCONT) and restart.
 */

const ETCD = process.env.NOVACRON_ETCD_BINARY ?? '/usr/bin/etcd';

/**
 * True when the etcd server can be run here. Under `CI=true` a missing etcd throws (a loud failure); locally it
 * returns false and prints how to install it, so the suites skip.
 */
export function etcdAvailable(): boolean {
  if (existsSync(ETCD)) return true;
  const reason = `${ETCD} is missing. Install it with: apt-get update && apt-get install -y etcd-server (or set NOVACRON_ETCD_BINARY).`;
  if (process.env.CI === 'true') throw new Error(`store-etcd tests need a real etcd under CI, but ${reason}`);
  console.warn(`[store-etcd] skipping etcd tests: ${reason}`);
  return false;
}

/** One member of an {@link EtcdCluster}. */
export interface EtcdMember {
  /** `m1`, `m2`, ... */
  readonly name: string;
  /** Its client URL, `http://127.0.0.1:<port>` (`https://` with TLS). */
  readonly clientUrl: string;
  /** Its plain-HTTP metrics URL, which also serves `/health` (so the harness checks health without TLS). */
  readonly metricsUrl: string;
  /** Its peer URL. */
  readonly peerUrl: string;
  /** Its data directory (kept across restarts). */
  readonly dataDirectory: string;
  /** The running process, or undefined while killed. */
  process: ChildProcess | undefined;
}

/** A running cluster started by {@link startEtcdCluster}. */
export interface EtcdCluster {
  /** The members, in order. */
  readonly members: readonly EtcdMember[];
  /** Every member's client URL. */
  readonly endpoints: readonly string[];
  /** Kills `member` with SIGKILL and waits until it is gone. */
  kill(member: EtcdMember): Promise<void>;
  /** Starts a killed member again on its data directory and waits until it is healthy. */
  restart(member: EtcdMember): Promise<void>;
  /** Pauses (SIGSTOP) a member: it holds its connections but answers nothing, like a partitioned or frozen host. */
  pause(member: EtcdMember): void;
  /** Resumes (SIGCONT) a paused member. */
  resume(member: EtcdMember): void;
  /** The member that is the raft leader now, by asking the members that answer. */
  leader(): Promise<EtcdMember>;
  /** Waits until every running member reports itself healthy (a leader is elected and it can serve reads). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Kills every member and removes the data directories. */
  stop(): Promise<void>;
}

/** PEM files for a cluster that serves clients over TLS and requires client certificates. */
export interface EtcdTlsFiles {
  /** The CA that signed the server and client certificates. */
  caFile: string;
  /** The servers' certificate (for 127.0.0.1) and key. */
  certFile: string;
  keyFile: string;
}

/**
 * Starts `size` members (default 3) on free loopback ports and waits until the cluster is healthy. With `tls`, the
 * members serve clients over TLS and require a client certificate signed by its CA.
 */
export async function startEtcdCluster(size = 3, tls?: EtcdTlsFiles): Promise<EtcdCluster> {
  const base = await mkdtemp(join(tmpdir(), 'novacron-etcd-'));
  const token = `novacron-${process.pid}-${Date.now()}`;
  const members: EtcdMember[] = [];
  for (let index = 1; index <= size; index += 1) {
    members.push({
      name: `m${index}`,
      clientUrl: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${await freePort()}`,
      metricsUrl: `http://127.0.0.1:${await freePort()}`,
      peerUrl: `http://127.0.0.1:${await freePort()}`,
      dataDirectory: join(base, `m${index}`),
      process: undefined,
    });
  }
  const initialCluster = members.map((member) => `${member.name}=${member.peerUrl}`).join(',');

  const launch = (member: EtcdMember) => {
    const log = openSync(join(base, `${member.name}.log`), 'a');
    member.process = spawn(
      ETCD,
      [
        `--name=${member.name}`,
        `--data-dir=${member.dataDirectory}`,
        `--listen-client-urls=${member.clientUrl}`,
        `--listen-metrics-urls=${member.metricsUrl}`,
        ...(tls === undefined
          ? []
          : [
              `--cert-file=${tls.certFile}`,
              `--key-file=${tls.keyFile}`,
              `--trusted-ca-file=${tls.caFile}`,
              '--client-cert-auth',
            ]),
        `--advertise-client-urls=${member.clientUrl}`,
        `--listen-peer-urls=${member.peerUrl}`,
        `--initial-advertise-peer-urls=${member.peerUrl}`,
        `--initial-cluster=${initialCluster}`,
        '--initial-cluster-state=new',
        `--initial-cluster-token=${token}`,
        '--logger=zap',
        '--log-outputs=stderr',
      ],
      { stdio: ['ignore', log, log] },
    );
  };

  const cluster: EtcdCluster = {
    members,
    endpoints: members.map((member) => member.clientUrl),
    async kill(member) {
      const child = member.process;
      if (child === undefined) return;
      member.process = undefined;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    },
    async restart(member) {
      if (member.process !== undefined) return;
      launch(member);
      await waitUntil(`${member.name} to be healthy again`, 60_000, () => healthy(member));
    },
    pause(member) {
      member.process?.kill('SIGSTOP');
    },
    resume(member) {
      member.process?.kill('SIGCONT');
    },
    async leader() {
      let leader: EtcdMember | undefined;
      await waitUntil('a leader', 60_000, async () => {
        for (const member of members.filter((candidate) => candidate.process !== undefined)) {
          const status = await memberStatus(member);
          if (status === undefined || status.leader === '0') continue;
          const ids = await Promise.all(
            members.map(async (other) => (await memberStatus(other))?.header.member_id),
          );
          leader = members[ids.indexOf(status.leader)];
          if (leader !== undefined) return true;
        }
        return false;
      });
      return leader!;
    },
    async waitHealthy(timeoutMs = 60_000) {
      const running = members.filter((member) => member.process !== undefined);
      await waitUntil('the etcd cluster to be healthy', timeoutMs, async () =>
        (await Promise.all(running.map(healthy))).every(Boolean),
      );
    },
    async stop() {
      await Promise.all(members.map((member) => cluster.kill(member)));
      await rm(base, { recursive: true, force: true });
    },
  };

  for (const member of members) launch(member);
  try {
    await cluster.waitHealthy();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('No port was assigned.');
  return address.port;
}

async function healthy(member: EtcdMember): Promise<boolean> {
  try {
    const response = await fetch(`${member.metricsUrl}/health`, { signal: AbortSignal.timeout(2_000) });
    return ((await response.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

async function memberStatus(
  member: EtcdMember,
): Promise<{ leader: string; header: { member_id: string } } | undefined> {
  if (member.process === undefined) return undefined;
  try {
    const response = await fetch(`${member.clientUrl}/v3/maintenance/status`, {
      method: 'POST',
      body: '{}',
      signal: AbortSignal.timeout(2_000),
    });
    return (await response.json()) as { leader: string; header: { member_id: string } };
  } catch {
    return undefined;
  }
}

/** Resolves once `condition` holds, checking every 100 ms; throws after `timeoutMs`. */
export async function waitUntil(
  what: string,
  timeoutMs: number,
  condition: () => boolean | Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
