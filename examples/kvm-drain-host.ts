/**
 * Drain a KVM host: live-migrate every running VM off one host onto the others, one at a time, with progress.
 *
 * Against a real fleet:
 *   KVM_HOSTS='host-1=qemu+ssh://root@host1/system,host-2=qemu+ssh://root@host2/system' \
 *     npx tsx examples/kvm-drain-host.ts host-1
 *
 * Without KVM_HOSTS (how CI runs it): the example starts two root libvirtd daemons of its own through the driver's
 * test harness (packages/driver-kvm/test/support: each daemon under `tini -s` in a private mount namespace, distinct
 * host_uuid, its own socket under /tmp), boots two tiny diskless 64 MiB guests on host-1 and drains host-1 onto
 * host-2. That needs root and the Debian packages in docs/kvm.md; under CI=true their absence fails the example,
 * elsewhere it prints how to install them and exits. Everything it starts is destroyed and stopped at the end.
 */
import { createNovaCron, type Host, type MigrationProgress } from '@novacron/core';
import { createKvmDriver, type KvmHostOptions } from '@novacron/driver-kvm';
import {
  kvmAccelerationWorks,
  type LibvirtDaemon,
  libvirtAvailable,
  startLibvirtDaemon,
} from '../packages/driver-kvm/test/support/libvirt-daemon-harness.js';

const PROVIDER = 'lab';
const daemons: LibvirtDaemon[] = [];
const demoVms: string[] = [];

async function fleet(): Promise<{ hosts: KvmHostOptions[]; drain: string }> {
  const configured = process.env.KVM_HOSTS;
  if (configured !== undefined && configured !== '') {
    const hosts = configured.split(',').map((entry) => {
      const [id, uri] = entry.split('=', 2);
      if (id === undefined || uri === undefined)
        throw new TypeError(`KVM_HOSTS entry "${entry}" must be id=uri.`);
      return { id, uri };
    });
    return { hosts, drain: process.argv[2] ?? hosts[0]?.id ?? '' };
  }
  if (!libvirtAvailable()) process.exit(0);
  const first = await startLibvirtDaemon({ name: 'drain-1', migrationPortMin: 49800 });
  daemons.push(first);
  const second = await startLibvirtDaemon({ name: 'drain-2', migrationPortMin: 49900 });
  daemons.push(second);
  return {
    hosts: [
      { id: 'host-1', uri: first.uri('qemu'), zone: 'rack-1', migrationDataUri: 'tcp://127.0.0.1' },
      { id: 'host-2', uri: second.uri('qemu'), zone: 'rack-2', migrationDataUri: 'tcp://127.0.0.1' },
    ],
    drain: 'host-1',
  };
}

function freeMemory(host: Host): number {
  return host.allocatable.memoryMiB - host.allocated.memoryMiB;
}

function describeProgress(progress: MigrationProgress): string {
  // Zero pages are not sent, so "processed / (processed + remaining)" says more than "processed / total".
  const known = progress.bytesProcessed + progress.bytesRemaining;
  const percent = known > 0 ? Math.round((100 * progress.bytesProcessed) / known) : 0;
  return `${progress.phase} ${percent}% (${(progress.bytesProcessed / 2 ** 20).toFixed(1)} MiB sent, iteration ${progress.iteration})`;
}

const { hosts, drain } = await fleet();
const demo = daemons.length > 0;
const nc = createNovaCron({
  providers: {
    [PROVIDER]: createKvmDriver({ hosts, domainType: demo && !kvmAccelerationWorks() ? 'qemu' : 'kvm' }),
  },
});
try {
  if (demo) {
    for (const name of ['drain-web-1', 'drain-web-2']) {
      const vm = await nc.vms.create({
        provider: PROVIDER,
        name,
        resources: { vcpus: 1, memoryMiB: 64 },
        location: { hostId: drain },
        tags: { role: 'web' },
      });
      demoVms.push(vm.ref.id);
    }
  }

  let lastLine = '';
  nc.events.on('migration.progress', ({ vm, progress }) => {
    const line = `  ${vm.id}: ${describeProgress(progress)}`;
    if (line !== lastLine) console.log(line);
    lastLine = line;
  });
  const toMove = (
    await nc.vms.list({ provider: PROVIDER, hostId: drain, states: ['running', 'suspended'] }).toArray()
  ).filter((vm) => vm.location.hostId === drain);
  console.log(`draining ${drain}: ${toMove.length} VM(s) to move`);
  for (const vm of toMove) {
    // Pick the other host with the most free memory that fits the VM, reading hosts afresh each time.
    const targets = (await nc.hosts.list({ provider: PROVIDER }).toArray())
      .filter(
        (host) => host.id !== drain && host.state === 'up' && freeMemory(host) >= vm.resources.memoryMiB,
      )
      .sort((left, right) => freeMemory(right) - freeMemory(left));
    const target = targets[0];
    if (target === undefined) {
      console.error(
        `  ${vm.ref.id}: no other host has room for ${vm.resources.memoryMiB} MiB; left on ${drain}`,
      );
      process.exitCode = 1;
      continue;
    }
    const started = performance.now();
    const migration = await nc.migrations.start({
      vm: vm.ref,
      to: target.id,
      mode: 'live',
      policy: { maxDowntimeMs: 300, autoConverge: true, completionTimeoutMs: 120_000, onTimeout: 'abort' },
    });
    const record = await migration.done;
    console.log(
      `  ${vm.ref.id}: ${record.phase} on ${target.id} in ${Math.round(performance.now() - started)} ms` +
        (record.outcome?.downtimeMs === undefined ? '' : `, downtime ${record.outcome.downtimeMs} ms`),
    );
  }
  const left = (await nc.vms.list({ provider: PROVIDER, hostId: drain }).toArray()).filter(
    (vm) => vm.location.hostId === drain && vm.state.name === 'running',
  );
  console.log(left.length === 0 ? `${drain} is drained` : `${drain} still runs ${left.length} VM(s)`);
} finally {
  for (const id of demoVms) await nc.vms.delete({ provider: PROVIDER, id }).catch(() => undefined);
  await nc.close();
  for (const daemon of daemons) await daemon.stop();
}
